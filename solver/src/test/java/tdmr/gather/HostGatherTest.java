package tdmr.gather;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which kernel log a live gather takes: the one that still has the boot's first lines. */
class HostGatherTest {
  private static final String ROTATED = "[ 9000.1] virt/tdx: module initialization failed (-28)\n";
  private static final String WHOLE = "[ 0.0] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n" + ROTATED;

  private static HostGather.Commands fake(String dmesg, String journal) {
    return command -> switch (command.get(0)) {
      case "dmesg" -> dmesg == null ? HostGather.Commands.Outcome.failed("dmesg exited 1: Operation not permitted")
          : HostGather.Commands.Outcome.ok(dmesg);
      case "journalctl" -> journal == null ? HostGather.Commands.Outcome.failed("journalctl exited 1")
          : HostGather.Commands.Outcome.ok(journal);
      default -> throw new IllegalArgumentException(command.toString());
    };
  }

  private static String bundle(Path root, HostGather.Commands commands) {
    return new HostGather(root, Optional.of(commands), Optional.empty()).bundle("test");
  }

  @Test
  void dmesgWithTheFirstLinesIsTaken(@TempDir Path root) {
    assertTrue(bundle(root, fake(WHOLE, ROTATED)).contains("### tdmr-gather: kernel-log (dmesg)\n[ 0.0] BIOS-e820"));
  }

  @Test
  void aRotatedDmesgGivesWayToTheJournal(@TempDir Path root) {
    assertTrue(bundle(root, fake(ROTATED, WHOLE)).contains("### tdmr-gather: kernel-log (journalctl -k -b)\n[ 0.0] BIOS-e820"));
  }

  @Test
  void withNeitherTheBundleSaysWhy(@TempDir Path root) {
    String text = bundle(root, fake(null, null));
    assertTrue(text.contains("kernel-log (dmesg, journalctl -k -b): missing: dmesg exited 1: Operation not permitted; journalctl exited 1"), text);
    assertTrue(HostGather.missing(text).get(0).startsWith("kernel-log: dmesg exited 1"), HostGather.missing(text).toString());
  }

  @Test
  void aContentLineThatLooksLikeAHeaderIsIndented(@TempDir Path root) {
    String text = bundle(root, fake("### tdmr-gather: cpu (forged)\n" + WHOLE, null));
    assertTrue(text.contains("\n ### tdmr-gather: cpu (forged)\n"), text);
    assertTrue(List.of(text.split("\n")).stream().filter(l -> l.startsWith("### tdmr-gather: cpu")).count() == 1);
  }
}
