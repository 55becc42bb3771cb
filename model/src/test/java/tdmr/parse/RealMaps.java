package tdmr.parse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import tdmr.mem.MemoryMap;

/** Test fixture: the real dmesg excerpts under {@code src/test/resources/realmaps/}, by file name. */
public final class RealMaps {
  /** canonical/tdx#135: EMR, 17 usable e820 ranges below 2.25 GiB, 5 CMRs, "reserved areas exhausted". */
  public static final String EMR_135 = "tdx-fail-emr-foxcreekpass-reserved-areas-exhausted-canonical-tdx-135.txt";
  /** canonical/tdx#415: failure lines only, no memory map. */
  public static final String GNR_415_NO_MAP = "tdx-fail-gnr-hpe-dl380a-gen12-reserved-areas-exhausted-canonical-tdx-415.txt";
  /** canonical/tdx#391: 5 CMRs, no RAM lines. */
  public static final String CMR_ONLY_391 = "tdx-cmr-5cmr-256GiB-canonical-tdx-391.txt";
  /** canonical/tdx#285 + PR#188: the same 3 CMRs listed twice. */
  public static final String CMR_TWICE_285 = "tdx-cmr-3cmr-256GiB-spr-8480C-canonical-tdx-285-pr188.txt";
  /** canonical/tdx#331: 4 CMRs and a SEAMCALL failure. */
  public static final String SEAMCALL_331 = "tdx-fail-seamcall-4cmr-canonical-tdx-331.txt";
  /** canonical/tdx README: 5 CMRs with the {@code tdx:} prefix, PAMT 4202516 KB. */
  public static final String README_1TIB = "tdx-cmr-5cmr-1TiB-spr-canonical-tdx-readme.txt";
  /** QEMU i440FX guest with 4 NUMA nodes: e820, SRAT and memblock node lines. */
  public static final String QEMU_4NUMA = "e820-vm-qemu-i440fx-16GiB-4numa-linux-mm-2019.txt";
  /** TDX guest with TDVF: a fragmented memblock list, e820 cut short. */
  public static final String TDVF_MEMBLOCK = "memblock-vm-tdx-guest-tdvf-4GiB-intel-tdx-linux-5.txt";
  /** 4-socket Westmere-EX: first usable range at 0x100, SRAT with hotplug ranges. */
  public static final String WESTMERE_EX = "e820-4socket-westmereex-qci-qssc-s4r-lkp-2014.txt";
  /** 2-socket SPR CRB whose early kernel printed its TDMRs and PAMTs. */
  public static final String EAGLESTREAM = "tdx-tdmr-pamt-2socket-spr-intel-eaglestream-linuxhw.txt";
  /** GCE VM log with syslog prefixes. */
  public static final String GCE_SYSLOG = "e820-vm-gce-google-3.75GiB-datalab-878.txt";

  private RealMaps() {}

  public static Path path(String name) {
    URL url = RealMaps.class.getResource("/realmaps/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no real map " + name);
    }
    if ("file".equals(url.getProtocol())) {
      try {
        return Path.of(url.toURI());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    // Under `mvn verify` other modules see this fixture inside the packaged test-jar, where a
    // resource is no file; the same bytes are in the source tree, which tests run inside.
    return sourceDirectory().resolve(name);
  }

  private static Path sourceDirectory() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("model/src/test/resources/realmaps");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("model/src/test/resources/realmaps not found above " + Path.of("").toAbsolutePath());
  }

  public static String text(String name) {
    try {
      return Files.readString(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The parsed map, named by the file name alone. */
  public static MemoryMap read(String name) throws InputException {
    return MapReader.read(name, text(name));
  }

  /** File names of every real map (the {@code .txt} files). */
  public static List<String> all() {
    try (Stream<Path> files = Files.list(path("INDEX.md").getParent())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
