/**
 * The design path end to end, as {@code calvaria design} runs it: read, segment, normalise, complete, map back,
 * implant, mesh and write, with the outputs of one design appearing together. On the design path, it may import the
 * packages before it (the root package, {@code volume}, {@code files}, {@code morphology}, {@code io}, {@code
 * segment}, {@code normalise}, {@code complete}, {@code implant}, {@code mesh}, {@code render} and {@code
 * manufacture}); no other package of Calvaria. Packages are named below {@code org.calvaria}; {@code
 * org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.pipeline;
