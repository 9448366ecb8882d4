/**
 * Synthetic skulls: smooth, skull-like shells made from a seed, for the demo, tests and training without data. Beside
 * the design path, it may import the root package and {@code volume}, and no other package of Calvaria. Packages are
 * named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.synth;
