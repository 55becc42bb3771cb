package tdmr.solver.fix;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.boot.KernelParameters;
import tdmr.boot.MemmapEdit;
import tdmr.boot.MemoryWhatIf;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * What {@code tdmr fix --for greedy} answers for a kernel that cannot be changed: does its own
 * construction succeed on this map, and if not, the least TDX memory to give up with {@code
 * memmap=} so that it does, with the construction replayed on the map the kernel then sees.
 *
 * @param construction the engine name ({@code greedy}, {@code greedy-cmr}, ...)
 * @param before the construction on the map as given
 * @param search the search, when {@code before} failed
 * @param memmap the parameters that give the answer up, one per range
 * @param fixedMap the map the kernel sees with them ({@link MemoryWhatIf}), when there is an answer
 * @param after the construction replayed on {@code fixedMap}
 */
public record GreedyFix(
    String construction,
    EngineResult before,
    Optional<GiveUpSearch.Result> search,
    List<String> memmap,
    Optional<MemoryMap> fixedMap,
    Optional<EngineResult> after) {

  public GreedyFix {
    memmap = List.copyOf(memmap);
  }

  /**
   * Replays {@code engine} on the map and, if it fails, searches for what to give up.
   *
   * @throws IllegalStateException when the answer, replayed through {@code memmap=} as the kernel
   *     applies it, does not succeed (a bug: the search and the what-if disagree)
   */
  public static GreedyFix find(MemoryMap map, Engine engine, TdxLimits limits, SolveOptions options) {
    // The replay, the search and the replay of the answer share the time limit (tdmr.time.Deadline).
    Deadline deadline = options.solveDeadline();
    EngineResult before = engine.solve(map, limits, Policy.KERNEL, options.withDeadline(deadline.share(3)));
    if (before.status() == Status.UNKNOWN) {
      return new GreedyFix(engine.name(), before, Optional.of(new GiveUpSearch.Result(Status.UNKNOWN,
          List.of(), 0, 0, List.of(), 0, Optional.of("the time limit"))), List.of(), Optional.empty(), Optional.empty());
    }
    if (before.status().hasLayout()) {
      return new GreedyFix(engine.name(), before, Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    }
    Construction construction = switch (engine.name()) {
      case "greedy" -> Construction.linux(Policy.Holes.MEMLIST, limits);
      case "greedy-cmr" -> Construction.linux(Policy.Holes.CMR, limits);
      default -> Construction.engine(engine, limits, options);
    };
    GiveUpSearch.Result result = GiveUpSearch.run(map, construction, limits, deadline.share(2).remainingSeconds());
    if (result.giveUp().isEmpty()) {
      return new GreedyFix(engine.name(), before, Optional.of(result), List.of(), Optional.empty(), Optional.empty());
    }
    List<String> memmap = result.giveUp().stream().map(KernelParameters::reserving).toList();
    List<MemmapEdit> edits = new ArrayList<>();
    memmap.forEach(p -> edits.addAll(KernelParameters.ofCommandLine(p)));
    MemoryMap fixed = MemoryWhatIf.apply(map, edits, "tdmr fix");
    EngineResult after = engine.solve(fixed, limits, Policy.KERNEL, options.withDeadline(deadline));
    if (after.status() == Status.UNKNOWN) {
      // The answer could not be replayed within the time limit: it is not confirmed, so not given.
      GiveUpSearch.Result unconfirmed = new GiveUpSearch.Result(Status.UNKNOWN, List.of(), 0,
          result.boundBytes(), result.forced(), result.replayed(), Optional.of("the time limit"));
      return new GreedyFix(engine.name(), before, Optional.of(unconfirmed), List.of(), Optional.empty(), Optional.empty());
    }
    if (!after.status().hasLayout()) {
      throw new IllegalStateException("%s fails on %s with %s although the search accepted it: %s"
          .formatted(engine.name(), map.source(), String.join(" ", memmap), String.join(" / ", after.messages())));
    }
    return new GreedyFix(engine.name(), before, Optional.of(result), memmap, Optional.of(fixed), Optional.of(after));
  }

  /**
   * What a given-up range is.
   *
   * @param kind {@code not-convertible}, {@code whole-block}, {@code block-start} (up to a 1 GiB
   *     boundary), {@code block-end} (from one) or {@code whole-blocks} (several touching blocks)
   * @param description the same in words, with the e820 types around a block
   */
  public record Piece(String kind, String description) {}

  /** What {@code range}, a range of an answer for {@code map}, is. */
  public static Piece describe(AddressRange range, MemoryMap map, List<AddressRange> forced) {
    if (forced.stream().anyMatch(f -> f.overlaps(range))) {
      return new Piece("not-convertible", "not convertible (outside the CMRs): no kernel can use it for TDX");
    }
    List<MemoryBlock> inside = map.blocks().stream().filter(b -> b.range().overlaps(range)).toList();
    if (inside.size() == 1) {
      MemoryBlock b = inside.get(0);
      if (range.equals(b.range())) {
        return new Piece("whole-block", "a whole memory block (between %s and %s)".formatted(
            map.firmwareTypeAt(b.start() - 1), map.firmwareTypeAt(b.end())));
      }
      if (range.start() == b.start()) {
        return new Piece("block-start", "the start of block %s, up to the 1 GiB boundary".formatted(b.range()));
      }
      if (range.end() == b.end()) {
        return new Piece("block-end", "the end of block %s, from the 1 GiB boundary".formatted(b.range()));
      }
    }
    return new Piece("whole-blocks", "%d touching whole memory blocks".formatted(inside.size()));
  }
}
