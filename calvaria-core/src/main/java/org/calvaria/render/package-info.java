/**
 * Pictures: PNG previews of meshes and masks. On the design path, it may import the packages before it (the root
 * package, {@code volume}, {@code files}, {@code morphology}, {@code io}, {@code segment}, {@code normalise}, {@code
 * complete}, {@code implant} and {@code mesh}); no other package of Calvaria. Packages are named below {@code
 * org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.render;
