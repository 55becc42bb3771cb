package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The restricted referee ({@link RestrictedLayouts}): every restriction sentence of the engines has
 * a predicate, and on the maps of the hidden restrictions found by hand ({@code
 * KernelFamilyClaimTest}) the best layout meeting some of the kernel restrictions is the one derived
 * there, so a claim naming only those but applying another is caught.
 */
class RestrictedLayoutsTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  /**
   * Every restriction constant of the solver's classes (static String fields named like a
   * restriction or declared in a class named like one, the elements of static lists named like
   * them, and NodeSplit's) has a predicate: a new one fails here until it gets one.
   */
  @Test
  void everyRestrictionAnEngineCanNameHasAPredicate() throws Exception {
    TreeSet<String> sentences = new TreeSet<>(restrictionConstants());
    sentences.add(NodeSplit.MEMORY_IN_EVERY_TDMR);
    assertTrue(sentences.containsAll(Problem.KERNEL_FAMILY_RESTRICTIONS), sentences.toString());
    assertTrue(sentences.contains(ModuleFamilyRestrictions.CHAINS), sentences.toString());
    List<String> missing = sentences.stream().filter(s -> !RestrictedLayouts.known().contains(s)).toList();
    assertEquals(List.of(), missing, "restrictions without a predicate in RestrictedLayouts");
    assertThrows(AssertionError.class, () -> RestrictedLayouts.of(List.of("a restriction no predicate knows")));
  }

  private static List<String> restrictionConstants() throws IOException, ClassNotFoundException, IllegalAccessException {
    Path root = Path.of(Problem.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    List<String> out = new ArrayList<>();
    List<Path> classes;
    try (Stream<Path> walk = Files.walk(root.resolve("tdmr/solver"))) {
      classes = walk.filter(p -> p.toString().endsWith(".class")).toList();
    }
    for (Path p : classes) {
      String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
      Class<?> c = Class.forName(name, false, RestrictedLayoutsTest.class.getClassLoader());
      boolean restrictionClass = c.getSimpleName().contains("Restriction");
      for (Field f : c.getDeclaredFields()) {
        int m = f.getModifiers();
        if (!Modifier.isStatic(m) || !Modifier.isFinal(m)) {
          continue;
        }
        boolean named = f.getName().contains("RESTRICTION");
        f.setAccessible(true);
        if (f.getType() == String.class && (named || restrictionClass)) {
          out.add((String) f.get(null));
        } else if (List.class.isAssignableFrom(f.getType()) && named) {
          for (Object o : (List<?>) f.get(null)) {
            out.add((String) o);
          }
        }
      }
    }
    return out;
  }

  /**
   * {@code KernelFamilyClaimTest}'s filled island: blocks [1 MiB, 1 GiB) and [2 GiB, 2 GiB + 1027
   * pages), at most 2 TDMRs. Without the restriction that every granule holding memory lies in a
   * TDMR, the best is [0, 1 GiB) alone with its 1027-page chunk filling the island (4 206 592 B,
   * derived there); with it, two 1 GiB TDMRs, 2 x 1027 pages = 8 413 184 B (one TDMR over [0, 3
   * GiB) needs 3 x 1026 + 1 = 3079 pages). So a claim of 8 413 184 B naming the other three is false.
   */
  @Test
  void theFilledIslandNeedsTheCoveringRestrictionNamed() {
    MemoryMap map = MemoryMap.ofBlocks("filled-island", List.of(new MemoryBlock(1024 * K, G, 0),
        new MemoryBlock(2 * G, 2 * G + 1027 * 4 * K, 0)));
    RestrictedLayouts.Where where = new RestrictedLayouts.Where(map, TdxLimits.DEFAULT.withMaxTdmrs(2), Policy.KERNEL);
    List<String> others = new ArrayList<>(Problem.KERNEL_FAMILY_RESTRICTIONS);
    others.remove(2);
    assertEquals(4_206_592L, RestrictedLayouts.of(others).best(where).orElseThrow().score().pamtBytes());
    ExhaustiveSearch.Result all = RestrictedLayouts.of(Problem.KERNEL_FAMILY_RESTRICTIONS).best(where).orElseThrow();
    assertEquals(8_413_184L, all.score().pamtBytes());
    assertEquals(List.of(new AddressRange(0, G), new AddressRange(2 * G, 3 * G)),
        all.layout().tdmrs().stream().map(Tdmr::range).toList());
  }

  /**
   * {@code KernelFamilyClaimTest}'s TDMR ending over an empty granule (2 TDMRs of 3 areas): with
   * all four kernel restrictions there is no layout (derived there: a TDMR over granule 1 alone or
   * over granules 1 to 3 has 4 areas); without the one that TDMRs start and end in granules holding
   * memory, [1G, 3G) and [3G, 4G): 2053 + 1027 = 3080 pages.
   */
  @Test
  void anEmptyGranuleAtATdmrEndNeedsItsRestrictionNamed() {
    long i0 = G + 200 * 1024 * K;
    MemoryMap map = MemoryMap.ofBlocks("empty-end", List.of(new MemoryBlock(G + 1024 * K, G + 100 * 1024 * K, 0),
        new MemoryBlock(i0, i0 + 2053 * 4 * K, 0), new MemoryBlock(G + 300 * 1024 * K, 2 * G - 1024 * K, 0),
        new MemoryBlock(3 * G, 4 * G, 0)));
    RestrictedLayouts.Where where = new RestrictedLayouts.Where(map,
        TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(3), Policy.KERNEL);
    assertEquals(Optional.empty(), RestrictedLayouts.of(Problem.KERNEL_FAMILY_RESTRICTIONS).best(where));
    List<String> others = new ArrayList<>(Problem.KERNEL_FAMILY_RESTRICTIONS);
    others.remove(3);
    assertEquals(3080 * 4096L, RestrictedLayouts.of(others).best(where).orElseThrow().score().pamtBytes());
  }
}
