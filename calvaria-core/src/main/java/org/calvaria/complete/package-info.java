/**
 * The completion network: its architectures, TensorFlow graph and weights, the model file, and inference that predicts
 * the completed skull's probability on the network grid. On the design path, it may import the packages before it (the
 * root package, {@code volume}, {@code files}, {@code morphology}, {@code io}, {@code segment} and {@code normalise});
 * no other package of Calvaria. Packages are named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds
 * the order.
 */
package org.calvaria.complete;
