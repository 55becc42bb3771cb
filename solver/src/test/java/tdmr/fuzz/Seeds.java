package tdmr.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tdmr.check.TdmrInfoCodec;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.LayoutJson;
import tdmr.parse.MapJson;
import tdmr.parse.RealMaps;
import tdmr.solver.EngineResult;
import tdmr.solver.GreedyEngine;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The real inputs the fuzz suite mutates: every real kernel log of the test resources, a saved
 * {@code /proc/iomem}, the JSON maps and layouts {@code tdmr} writes for them, and their TDMR_INFO
 * binaries.
 */
final class Seeds {
  /** A named input. */
  record Seed(String name, byte[] bytes) {
    @Override
    public String toString() {
      return name;
    }
  }

  private Seeds() {}

  static List<Seed> logs() {
    return RealMaps.all().stream().map(n -> new Seed(n, RealMaps.text(n).getBytes(StandardCharsets.UTF_8))).toList();
  }

  /** {@code /proc/iomem} of the canonical/tdx#135 host, as root reads it (from its e820 table). */
  static List<Seed> iomem() {
    String iomem = """
        # /proc/iomem saved by a fleet agent
        00000000-00000fff : Reserved
        00001000-0009efff : System RAM
        0009f000-000fffff : Reserved
          000a0000-000bffff : PCI Bus 0000:00
        00100000-5d168fff : System RAM
          01000000-01ffffff : Kernel code
        5d169000-5d22afff : ACPI Tables
        5d22b000-6f7fffff : System RAM
        6f800000-8fffffff : Reserved
        100000000-107fffffff : System RAM
        1080000000-207fffffff : System RAM
        """;
    return List.of(new Seed("iomem-emr-135", iomem.getBytes(StandardCharsets.UTF_8)),
        new Seed("iomem-crlf", iomem.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)));
  }

  static List<Seed> jsonMaps() throws InputException {
    List<Seed> out = new ArrayList<>();
    for (String name : List.of(RealMaps.EMR_135, RealMaps.QEMU_4NUMA, RealMaps.CMR_ONLY_391, RealMaps.EAGLESTREAM)) {
      out.add(new Seed(name + ".json", MapJson.write(RealMaps.read(name)).getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** Layouts of the CMR-holes greedy (which builds one on every real map with CMRs), with the map they are for. */
  static List<Seed> layouts() throws InputException {
    List<Seed> out = new ArrayList<>();
    for (String name : List.of(RealMaps.EMR_135, RealMaps.QEMU_4NUMA)) {
      out.add(new Seed(name, LayoutJson.write(layout(name)).getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  static List<Seed> tdmrInfos() throws InputException {
    List<Seed> out = new ArrayList<>();
    for (String name : List.of(RealMaps.EMR_135, RealMaps.QEMU_4NUMA)) {
      out.add(new Seed(name, TdmrInfoCodec.encode(layout(name))));
    }
    return out;
  }

  static Layout layout(String realMap) throws InputException {
    MemoryMap map = RealMaps.read(realMap);
    EngineResult r = new GreedyEngine(Policy.Holes.CMR).solve(map, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    return r.layout().orElseThrow();
  }
}
