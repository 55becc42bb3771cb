package tdmr.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tdmr.gather.HostGather;
import tdmr.parse.InputException;
import tdmr.parse.JsonContract;

/** {@code tdmr gather}: one text bundle with what every other command needs to know about a host. */
@Command(
    name = "gather",
    mixinStandardHelpOptions = true,
    header = "Collect a TDX host's memory facts into one bundle that map, plan, fix and diagnose read.",
    description = {
      "Run on the host, as root: collects the kernel log (dmesg, or journalctl -k -b when it still has the"
          + " boot's first lines), /proc/iomem, the firmware's e820 table (/sys/firmware/memmap), the NUMA nodes'"
          + " memory (/sys/devices/system/node), /proc/cmdline, the CPU (/proc/cpuinfo) and what sysfs says about"
          + " the TDX module, into one text file with a section per part. A part it cannot read (most need root)"
          + " is kept as a section saying why, and listed on standard error.",
      "--root DIR reads a copy of a host's /proc and /sys under DIR instead (like lsmem --sysroot); the kernel"
          + " log then comes from DIR/var/log/dmesg or --dmesg FILE."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the bundle was written (standard error lists any part it lacks)", "2:bad input or usage"},
    footer = {
      "%nExamples:",
      "  sudo tdmr gather -o host.txt && tdmr diagnose host.txt",
      "  sudo tdmr gather --dmesg saved-dmesg.txt > host.txt",
      "  tdmr gather --root /mnt/host-copy --dmesg /mnt/host-copy/dmesg.txt"
    })
final class GatherCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
      description = "Read proc and sys under DIR (default ${DEFAULT-VALUE}, this host).")
  Path root;

  @Option(names = "--dmesg", paramLabel = "FILE", description = "Take the kernel log from FILE instead of dmesg or journalctl.")
  Path dmesg;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the bundle to FILE (whole or not at all) instead of standard output ('-': standard output).")
  Path output;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(root)) {
      throw new InputException(root.toString(), 0, "--root: no such directory");
    }
    if (dmesg != null && !Files.isRegularFile(dmesg)) {
      throw new InputException(dmesg.toString(), 0, "--dmesg: no such file");
    }
    // dmesg and journalctl speak for this machine only, so they run only when reading its own /.
    Optional<HostGather.Commands> live = isThisHost() ? Optional.of(HostGather.Commands.system()) : Optional.empty();
    String bundle = new HostGather(root, live, Optional.ofNullable(dmesg)).bundle(JsonContract.tdmrVersion());
    if (output == null || InputSource.isStdin(output)) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(bundle);
      out.flush();
    } else {
      write(output, bundle);
    }
    report(HostGather.missing(bundle));
    return 0;
  }

  /** What the bundle lacks, and the next command, on standard error. */
  private void report(List<String> missing) {
    PrintWriter err = spec.commandLine().getErr();
    if (!missing.isEmpty()) {
      err.println("tdmr gather: the bundle lacks %d part%s:".formatted(missing.size(), missing.size() == 1 ? "" : "s"));
      missing.forEach(m -> err.println("  " + m));
      if (!runsAsRoot() && isThisHost()) {
        err.println("Most parts need root: run `sudo tdmr gather` for all of them.");
      }
    }
    String file = output == null || InputSource.isStdin(output) ? "FILE" : output.toString();
    err.println("Next: tdmr diagnose %s   (or tdmr plan %s, tdmr fix %s)".formatted(file, file, file));
    err.flush();
  }

  private boolean isThisHost() {
    return root.toAbsolutePath().normalize().equals(Path.of("/"));
  }

  /** The bundle, whole or not at all (see {@link AtomicFile}). */
  private static void write(Path target, String text) throws InputException {
    try {
      AtomicFile.write(target, text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InputException(target.toString(), 0,
          "cannot write the bundle: %s; nothing written".formatted(AtomicFile.reason(e)));
    }
  }

  /** Whether this process runs as root (effective uid 0, from /proc/self/status). */
  private static boolean runsAsRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] ids = line.substring(4).strip().split("\\s+");
          return ids.length > 1 && ids[1].equals("0");
        }
      }
    } catch (IOException | RuntimeException unknown) {
      return false;
    }
    return false;
  }
}
