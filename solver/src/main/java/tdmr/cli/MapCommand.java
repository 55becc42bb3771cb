package tdmr.cli;

import java.nio.file.Path;
import java.util.List;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
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
    description = {
      "Reads INPUT (dmesg text, /proc/iomem or a JSON map; '-' for standard input) and prints"
            + " the TDX memory blocks with their NUMA nodes, the gaps between them with the firmware"
            + " (e820) type found there, the CMRs, how the map was derived and the totals. --json prints"
            + " the map in the JSON map format that every tdmr command reads. With --memmap or --cmdline it"
            + " also prints the e820 table the kernel would print with them (its 'user:' lines).",
      HostRunner.HELP
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the map was read and shown (with several INPUTs: every map)", "2:bad input or usage (with several: an"
        + " input could not be read; the others are shown)", "70:internal error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr map dmesg.txt                         blocks, gaps (e820 types), CMRs",
      "  sudo cat /proc/iomem | tdmr map -",
      "  tdmr map --json dmesg.txt > map.json       the JSON map every command reads",
      "  tdmr map dmesg.txt --memmap '4K$0x64158000' | grep user:   the e820 then",
      "  tdmr map logs/                             each file under logs/, a summary"
    })
final class MapCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "INPUT", arity = "1..*",
      description = "Kernel logs, /proc/iomem or JSON maps (files, directories of them); '-' reads standard input.")
  List<Path> inputs;

  @Option(names = "--json", description = "Print the map as JSON (the format every command reads).")
  boolean json;

  @picocli.CommandLine.Mixin WhatIfOptions whatIf;

  @picocli.CommandLine.Mixin JobsOption jobs;

  @Override
  public Integer call() throws Exception {
    return new HostRunner(spec, tdmr, json, jobs.count()).run(inputs, HostRunner.STDIN, this::show);
  }

  private HostResult show(Host host) throws Exception {
    MemoryMap map = whatIf.apply(host.readMap());
    if (json) {
      host.document(MapJson.toTree(map));
    } else {
      host.out().print(Prose.fold(MapText.render(map)));
      if (!whatIf.isEmpty()) {
        host.out().print(MapText.userTable(map));
      }
    }
    return new HostResult(0, "READ", "%s (%s) on %s, %s".formatted(Count.of(map.blocks().size(), "memory block"),
        ByteSize.human(map.totalBytes()), Count.of(map.nodes().size(), "node"), Count.of(map.cmrs().cmrs().size(), "CMR")),
        java.util.OptionalLong.empty(), "");
  }
}
