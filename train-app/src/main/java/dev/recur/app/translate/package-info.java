/**
 * The translation task (issue 10), foundation only: its tokenizer, vocabularies, parallel-text
 * reader, length-bucketed pair batches, corpus BLEU and a small generated task. The
 * encoder–decoder model and the {@code translate} command are not there yet (docs/translate.md).
 * Like every task package it uses {@code run}, {@code data} and {@code core}, never another task.
 */
package dev.recur.app.translate;
