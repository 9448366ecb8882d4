package org.calvaria.web;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/** Why a file or folder could not be written, in words, and what the person running the server can do about it. */
final class Folders {
    /** What to do when the server's temporary folder cannot be written. */
    static final String WHAT_TO_DO = "restart the server with --temp-dir pointing to a folder this user can write to,"
            + " on a disk with free space";

    private Folders() {}

    /**
     * The reason of an I/O failure on a path: "permission denied", "it is a file, not a folder", "the disk is full".
     * Java's own messages for these name only the path.
     */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileAlreadyExistsException) return "it is a file, not a folder";
        if (e instanceof NotDirectoryException) return "it is not a folder";
        if (e instanceof NoSuchFileException) return "it does not exist";
        String r = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        if (r == null || r.isBlank()) {
            return e instanceof java.io.EOFException ? "it ends too early" : "an input/output error";
        }
        String l = r.toLowerCase(Locale.ROOT);
        if (l.contains("not a directory")) return "a part of its path is a file, not a folder";
        if (l.contains("permission denied") || l.contains("operation not permitted")) return "permission denied";
        if (l.contains("no space left")) return "the disk is full";
        if (l.contains("read-only file system")) return "the disk is read-only";
        if (l.contains("quota")) return "the disk quota is used up";
        return r;
    }

    /** The answer for a request that failed because the server's own folder could not be written. */
    static HttpError cannotWrite(IOException e) {
        return new HttpError(500, "the server cannot write to its temporary folder (" + reason(e) + "); " + WHAT_TO_DO);
    }
}
