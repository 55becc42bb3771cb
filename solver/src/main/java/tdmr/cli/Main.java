package tdmr.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;

/** Entry point of the {@code tdmr} command line. */
public final class Main {
  private Main() {}

  /**
   * Runs the command line on the process's own descriptors. Standard output is the raw descriptor,
   * not {@code System.out}, which swallows write errors: {@link TdmrCommand#execute} must see a full
   * disk to report it. It is not buffered here: {@link StandardOutput} counts the bytes the
   * descriptor took, and the command's writer buffers above it.
   */
  public static void main(String[] args) {
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    System.exit(TdmrCommand.run(args, System.in, out, System.err));
  }
}
