package tdmr.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapJson;

/** {@code tdmr map}: shows the memory map tdmr reads from an input, the way every command sees it. */
@Command(
    name = "map",
    mixinStandardHelpOptions = true,
    header = "Show the TDX memory blocks, CMRs and holes read from a log, /proc/iomem or JSON map.",
    description =
        "Reads INPUT (dmesg text, /proc/iomem or a JSON map; '-' for standard input) and prints"
            + " the TDX memory blocks with their NUMA nodes, the gaps between them with the firmware"
            + " (e820) type found there, the CMRs, how the map was derived and the totals. --json prints"
            + " the map in the JSON map format that every tdmr command reads. With --memmap or --cmdline it"
            + " also prints the e820 table the kernel would print with them (its 'user:' lines).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the map was read and shown", "2:bad input or usage", "70:internal error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr map dmesg.txt                         blocks, gaps (e820 types), CMRs",
      "  sudo cat /proc/iomem | tdmr map -",
      "  tdmr map --json dmesg.txt > map.json       the JSON map every command reads",
      "  tdmr map dmesg.txt --memmap '4K$0x64158000' | grep user:    the kernel's table then"
    })
final class MapCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "INPUT", description = "Kernel log, /proc/iomem or JSON map; '-' reads standard input.")
  Path input;

  @Option(names = "--json", description = "Print the map as JSON (the format every command reads).")
  boolean json;

  @picocli.CommandLine.Mixin WhatIfOptions whatIf;

  @Override
  public Integer call() throws Exception {
    MemoryMap map = whatIf.apply(tdmr.input(input).readMap());
    var out = spec.commandLine().getOut();
    if (json) {
      out.print(MapJson.write(map));
    } else {
      out.print(Prose.fold(MapText.render(map)));
      if (!whatIf.isEmpty()) {
        out.print(MapText.userTable(map));
      }
    }
    out.flush();
    return 0;
  }
}
