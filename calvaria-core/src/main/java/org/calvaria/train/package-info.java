/**
 * Training the completion network: training data streams, the training graph, the optimiser, validation metrics,
 * checkpoints, the training curve and the architecture study. Beside the design path, it may import the root package,
 * {@code volume}, {@code files}, {@code normalise}, {@code complete}, {@code synth} and {@code dataset}, and no other
 * package of Calvaria. Packages are named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds the
 * order.
 */
package org.calvaria.train;
