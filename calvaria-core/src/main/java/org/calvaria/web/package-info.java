/**
 * The local web app of {@code calvaria serve}: a Jetty server with a 3-D viewer page and a small JSON API to upload
 * skulls, run designs and download results. On the design path, it may import the packages before it (the root
 * package, {@code volume}, {@code files}, {@code morphology}, {@code io}, {@code segment}, {@code normalise}, {@code
 * complete}, {@code implant}, {@code mesh}, {@code render}, {@code manufacture} and {@code pipeline}); no other
 * package of Calvaria. Packages are named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds the
 * order.
 */
package org.calvaria.web;
