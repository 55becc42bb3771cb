package tdmr.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Files and directories written whole or not at all: the content goes to a temporary file (or
 * directory) next to the target, and is renamed over it only once complete. On any failure (a full
 * disk, a missing directory, a permission) the temporary is removed and the old target, if any, is
 * untouched, so a half-written TDMR_INFO can never pass for a valid smaller layout.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /**
   * Writes {@code bytes} to {@code target} whole, or throws leaving {@code target} as it was. A
   * symbolic link is followed, so the file it names gets the bytes and the link stays. A target
   * that exists and is no regular file (a device such as {@code /dev/full}, a named pipe,
   * {@code /dev/stdout} on a pipe) is written in place: renaming over it would replace the device
   * or the pipe with a file, and a device cannot hold a torn file anyway.
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    if (Files.isDirectory(target)) {
      throw new IOException(target + " is a directory");
    }
    if (Files.exists(target) && !Files.isRegularFile(target)) {
      writeInPlace(target, bytes);
      return;
    }
    // An existing file is replaced where it lies: through a link, next to the file it names.
    Path file = Files.isRegularFile(target) ? target.toRealPath() : target;
    Path tmp = temporaryNextTo(file);
    try {
      // CREATE_NEW gives the file the permissions of any new file (umask), as the target would have.
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
        out.write(bytes);
        out.flush();
        // On disk before the rename: a crash leaves the old file or the new, never a torn one.
        ch.force(true);
      }
      move(tmp, file);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** Writes into an existing device or pipe as it is, never creating or replacing it. */
  private static void writeInPlace(Path target, byte[] bytes) throws IOException {
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
      out.write(bytes);
      out.flush();
    }
  }

  /** What fills a directory. */
  @FunctionalInterface
  public interface DirectoryWriter {
    void write(Path directory) throws IOException;
  }

  /**
   * Fills a new directory with {@code writer} and puts it in place of {@code target} only when
   * {@code writer} returns; on failure the new directory is removed and {@code target} is as it was.
   * An existing {@code target} is moved aside, replaced, then removed.
   */
  public static void writeDirectory(Path target, DirectoryWriter writer) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path staging = Files.createDirectory(parent.resolve(hiddenName(absolute, "tmp")));
    try {
      writer.write(staging);
    } catch (IOException | RuntimeException e) {
      deleteTree(staging);
      throw e;
    }
    if (!Files.exists(absolute)) {
      move(staging, absolute);
      return;
    }
    if (!Files.isDirectory(absolute)) {
      deleteTree(staging);
      throw new IOException(target + " exists and is not a directory");
    }
    Path old = parent.resolve(hiddenName(absolute, "old"));
    Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.move(old, absolute, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(staging);
      throw e;
    }
    deleteTree(old);
  }

  /** Why a write failed, in words: {@code no such directory}, {@code No space left on device}, ... */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage();
  }

  private static Path temporaryNextTo(Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    return absolute.getParent().resolve(hiddenName(absolute, "tmp"));
  }

  /** {@code .NAME.tmp-1f3a9c}: hidden, next to the target, unlikely to exist. */
  private static String hiddenName(Path target, String kind) {
    return ".%s.%s-%06x".formatted(target.getFileName(), kind, RANDOM.nextInt(1 << 24));
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Removes a directory and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
