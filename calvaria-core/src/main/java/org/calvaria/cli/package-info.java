/**
 * The command line ({@code calvaria ...}, picocli): one class per command, parsing options and calling the library. On
 * the design path, it may import the packages before it (the root package, {@code volume}, {@code files}, {@code
 * morphology}, {@code io}, {@code segment}, {@code normalise}, {@code complete}, {@code implant}, {@code mesh}, {@code
 * render}, {@code manufacture}, {@code pipeline} and {@code web}), and also {@code synth}, {@code defects}, {@code
 * dataset}, {@code evaluate} and {@code train}; no other package of Calvaria. Packages are named below {@code
 * org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.cli;
