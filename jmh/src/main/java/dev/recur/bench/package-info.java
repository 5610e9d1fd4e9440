/** JMH benchmarks. */
package dev.recur.bench;
