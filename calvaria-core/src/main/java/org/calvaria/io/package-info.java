/**
 * Reading and writing volumes: NRRD, NIfTI-1 and DICOM series, the format detected from content, the geometry kept
 * exactly, and limits that refuse malformed or oversized files with a clear message. On the design path, it may import
 * the packages before it (the root package, {@code volume}, {@code files} and {@code morphology}); no other package of
 * Calvaria. Packages are named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.io;
