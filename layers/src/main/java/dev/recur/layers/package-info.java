/** Recurrent layers, losses, optimizers and checkpoints on top of the engine. */
package dev.recur.layers;
