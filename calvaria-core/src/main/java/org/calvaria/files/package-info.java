/**
 * Writing files safely: an output appears whole or not at all ({@code Outputs}), the outputs of one run appear
 * together ({@code OutputSet}), and no output may overwrite an input. On the design path, it may import the packages
 * before it (the root package and {@code volume}); no other package of Calvaria. Packages are named below {@code
 * org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.files;
