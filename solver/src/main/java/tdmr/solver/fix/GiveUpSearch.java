package tdmr.solver.fix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.greedy.PamtPlacement;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.Tdmr;

/**
 * The least TDX memory to give up so that a construction succeeds: a best-first branch and bound
 * over one choice per memory block ({@link GiveUpOption}: keep it, give it up, or give up its part
 * before its first or after its last 1 GiB boundary), with the replayed construction as the judge of
 * every complete choice.
 *
 * <p>Memory outside the CMRs is given up first: no construction succeeds with it (the module
 * rejects usable TDMR memory and PAMTs outside CMRs, rule E1 and D6, and the CMR-holes patch
 * rejects such a block outright). Then partial choices (the first k blocks decided) are expanded
 * in order of a lower bound on the bytes any completion gives up: the bytes given up so far, plus,
 * for constructions shaped like {@code fill_out_tdmrs}, the cheapest whole blocks inside the open
 * TDMR that must go for its holes to fit the limit (each one given up merges at most two holes),
 * or, when larger, the cheapest TDMR ends beyond it that must disappear for the TDMRs to fit theirs.
 * Choices whose TDMRs already break a limit ({@link FillOutSweep}) are dropped. Since the bound
 * never exceeds the true cost, the first complete choice the judge accepts is the least, and when
 * a time limit stops the search the smallest bound left is a proven lower bound. A repair that
 * gives up the cheapest block inside each failing TDMR provides a first answer to prune with.
 */
public final class GiveUpSearch {
  /** Blocks swept between two looks at the clock (about a millisecond of work). */
  private static final long WORK_PER_CLOCK = 1 << 16;

  /** Partial choices kept at most (about 100 bytes each). */
  private static final int MAX_OPEN = 2_000_000;

  /** The claim's scope, for every message that states a status. */
  public static final String FAMILY =
      "among giving up whole memory blocks and the parts of blocks before their first or after their last 1 GiB boundary";

  /** The same scope as a JSON value: the {@code kind}s of range an answer is made of. */
  public static final String SCOPE = "blocks-and-1g-edges";

  /**
   * The answer.
   *
   * @param status {@code OPTIMAL} (proven least), {@code FEASIBLE} (found; {@code boundBytes} is
   *     proven), {@code INFEASIBLE} (no choice succeeds), {@code UNKNOWN} (stopped before any)
   * @param giveUp the ranges to give up, sorted, touching ranges joined (empty without an answer)
   * @param giveUpBytes their total
   * @param boundBytes no choice gives up less (equal to {@code giveUpBytes} when proven)
   * @param forced memory outside the CMRs, part of every answer
   * @param replayed complete choices the construction was replayed on
   * @param stoppedBy what stopped the search early, empty when it finished
   */
  public record Result(
      Status status,
      List<AddressRange> giveUp,
      long giveUpBytes,
      long boundBytes,
      List<AddressRange> forced,
      long replayed,
      Optional<String> stoppedBy) {
    public Result {
      giveUp = List.copyOf(giveUp);
      forced = List.copyOf(forced);
    }
  }

  private record Node(Node parent, int depth, int option, long cost, long bound, FillOutSweep sweep, long seq) {}

  private final MemoryMap map;
  private final Construction construction;
  private final TdxLimits limits;
  private final List<AddressRange> forced;
  private final List<MemoryBlock> blocks;
  private final List<List<GiveUpOption>> options;
  private final Optional<FillOutSweep.Rules> rules;
  /** Per block: its end rounded up to 1 GiB, the end of the kernel TDMR it would close ({@link #tdmrBound}). */
  private final long[] tdmrEnd;
  /** Per block: the bytes that drop its {@link #tdmrEnd} (the part after its last 1 GiB boundary, or all of it). */
  private final long[] endDropCost;
  private long replayed;
  private long seq;

  private GiveUpSearch(MemoryMap map, Construction construction, TdxLimits limits) {
    this.map = map;
    this.construction = construction;
    this.limits = limits;
    List<AddressRange> memory = map.blocks().stream().map(MemoryBlock::range).toList();
    this.forced = AddressRange.minus(memory, map.cmrs().merged());
    List<MemoryBlock> convertible = new ArrayList<>();
    for (MemoryBlock b : map.blocks()) {
      for (AddressRange r : AddressRange.minus(List.of(b.range()), forced)) {
        convertible.add(new MemoryBlock(r, b.node()));
      }
    }
    this.blocks = LinuxGreedy.memoryList(convertible);
    this.options = blocks.stream().map(GiveUpOption::of).toList();
    this.rules = construction.fillOutHoles().map(h -> new FillOutSweep.Rules(
        h, map.cmrs().cmrs(), limits.maxTdmrs(), limits.maxReservedPerTdmr()));
    this.tdmrEnd = new long[blocks.size()];
    this.endDropCost = new long[blocks.size()];
    for (int j = 0; j < blocks.size(); j++) {
      MemoryBlock b = blocks.get(j);
      long lastBoundary = ByteSize.alignDown(b.end(), Tdmr.ALIGNMENT);
      tdmrEnd[j] = ByteSize.alignUp(b.end(), Tdmr.ALIGNMENT);
      endDropCost[j] = lastBoundary > b.start() && lastBoundary < b.end() ? b.end() - lastBoundary : b.size();
    }
  }

  /** Searches for at most {@code timeLimitSeconds}. */
  public static Result run(MemoryMap map, Construction construction, TdxLimits limits, double timeLimitSeconds) {
    long deadline = System.nanoTime() + (long) (timeLimitSeconds * 1e9);
    return run(map, construction, limits, () -> System.nanoTime() > deadline);
  }

  /**
   * Searches until {@code timeUp} says so. It is asked before each replay of the repair, and in the
   * search before each replay of a complete choice and after every {@value #WORK_PER_CLOCK} blocks
   * that expansions swept.
   */
  static Result run(MemoryMap map, Construction construction, TdxLimits limits, BooleanSupplier timeUp) {
    return new GiveUpSearch(map, construction, limits).search(timeUp);
  }

  /** The map the kernel sees when {@code giveUp} is reserved (memblock without those ranges). */
  public static MemoryMap without(MemoryMap map, List<AddressRange> giveUp) {
    List<MemoryBlock> kept = new ArrayList<>();
    for (MemoryBlock b : map.blocks()) {
      for (AddressRange r : AddressRange.minus(List.of(b.range()), giveUp)) {
        kept.add(new MemoryBlock(r, b.node()));
      }
    }
    return new MemoryMap(map.source(), LinuxGreedy.memoryList(kept), map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
  }

  private Result search(BooleanSupplier timeUp) {
    long forcedBytes = forced.stream().mapToLong(AddressRange::size).sum();
    Optional<List<AddressRange>> incumbent = repair(timeUp);
    long best = incumbent.map(GiveUpSearch::bytes).orElse(Long.MAX_VALUE) - (incumbent.isPresent() ? forcedBytes : 0);

    PriorityQueue<Node> open = new PriorityQueue<>(
        Comparator.comparingLong(Node::bound).thenComparing(Comparator.comparingInt(Node::depth).reversed())
            .thenComparingLong(Node::seq));
    FillOutSweep start = FillOutSweep.START;
    // The root's bound too, so that a time limit striking before the first expansion still proves it.
    open.add(new Node(null, 0, -1, 0, Math.max(islandBound(start, 0), tdmrBound(start, 0)), start, seq++));
    long work = 0;
    while (!open.isEmpty()) {
      Node node = open.peek();
      if (node.bound >= best) {
        open.clear(); // every choice left gives up at least as much as the answer in hand
        break;
      }
      // Each expansion bounds its children by sweeps over the blocks left, and each complete choice
      // replays the construction: on maps of 10 000 blocks a few expansions take a millisecond, so
      // the clock is read by the work done (and before every replay), not by the expansions.
      work += blocks.size() - node.depth + 1;
      if ((work >= WORK_PER_CLOCK || node.depth == blocks.size()) && timeUp.getAsBoolean()) {
        return stopped(incumbent, forcedBytes, node.bound, "the time limit");
      }
      if (work >= WORK_PER_CLOCK) {
        work = 0;
      }
      if (open.size() > MAX_OPEN) {
        return stopped(incumbent, forcedBytes, node.bound, "the memory for open choices (%d)".formatted(MAX_OPEN));
      }
      open.poll();
      if (node.depth == blocks.size()) {
        List<AddressRange> giveUp = giveUpOf(node);
        replayed++;
        if (construction.succeeds(without(map, giveUp))) {
          incumbent = Optional.of(giveUp);
          best = node.cost;
        }
        continue;
      }
      expand(node, open);
    }
    if (incumbent.isEmpty()) {
      return new Result(Status.INFEASIBLE, List.of(), 0, Long.MAX_VALUE, forced, replayed, Optional.empty());
    }
    long bytes = bytes(incumbent.get());
    return new Result(Status.OPTIMAL, incumbent.get(), bytes, bytes, forced, replayed, Optional.empty());
  }

  private Result stopped(Optional<List<AddressRange>> incumbent, long forcedBytes, long bound, String by) {
    long proven = forcedBytes + bound;
    if (incumbent.isEmpty()) {
      return new Result(Status.UNKNOWN, List.of(), 0, proven, forced, replayed, Optional.of(by));
    }
    long bytes = bytes(incumbent.get());
    return new Result(Status.FEASIBLE, incumbent.get(), bytes, Math.min(proven, bytes), forced, replayed, Optional.of(by));
  }

  private void expand(Node node, PriorityQueue<Node> open) {
    int i = node.depth;
    List<GiveUpOption> choices = options.get(i);
    for (int k = 0; k < choices.size(); k++) {
      GiveUpOption o = choices.get(k);
      FillOutSweep sweep = node.sweep;
      if (rules.isPresent()) {
        FillOutSweep.Rules r = rules.get();
        if (o.kept().isPresent()) {
          sweep = sweep.add(o.kept().get().start(), o.kept().get().end(), r);
        }
        if (sweep != null && i + 1 == blocks.size()) {
          sweep = sweep.finish(r);
          if (sweep != null && !sweep.roomForPamts(r)) {
            sweep = null;
          }
        }
        if (sweep == null) {
          continue;
        }
      }
      long cost = node.cost + o.cost();
      long extra = Math.max(islandBound(sweep, i + 1), tdmrBound(sweep, i + 1));
      if (extra == Long.MAX_VALUE) {
        continue;
      }
      open.add(new Node(node, i + 1, k, cost, cost + extra, sweep, seq++));
    }
  }

  /**
   * Bytes blocks {@code from..} must still give up for the open TDMR's holes to fit: each whole block
   * inside the TDMR given up merges at most two of its holes, and nothing else lowers their number
   * (a TDMR never grows or shrinks once open); the cheapest such blocks. {@code Long.MAX_VALUE} when
   * even all of them are not enough. Zero without a memory-list rule.
   */
  private long islandBound(FillOutSweep sweep, int from) {
    if (rules.isEmpty() || rules.get().holes() != Policy.Holes.MEMLIST || !sweep.isOpen()) {
      return 0;
    }
    long end = sweep.end();
    int gaps = 0;
    long prev = sweep.prevEnd();
    List<Long> islands = new ArrayList<>();
    for (int j = from; j < blocks.size() && blocks.get(j).start() < end; j++) {
      MemoryBlock b = blocks.get(j);
      if (b.start() > prev) {
        gaps++;
      }
      prev = b.end();
      if (b.end() > end) {
        break;
      }
      islands.add(b.size());
    }
    if (prev < end) {
      gaps++;
    }
    int need = sweep.holes() + gaps - rules.get().maxReserved();
    if (need <= 0) {
      return 0;
    }
    if (need > islands.size()) {
      return Long.MAX_VALUE;
    }
    islands.sort(null);
    long sum = 0;
    for (int k = 0; k < need; k++) {
      sum += islands.get(k);
    }
    return sum;
  }

  /**
   * Bytes blocks {@code from..} must still give up for the TDMRs to fit the limit. The kernel's
   * TDMRs end where their blocks end, rounded up to 1 GiB, and a block ending past the open TDMR
   * opens a new one: so the TDMRs still to open are exactly the distinct 1 GiB-rounded ends of the
   * kept blocks beyond the open TDMR. To drop one such end, every block ending there must go, or
   * lose its part after its last 1 GiB boundary (which moves its end down); the cheapest ends that
   * must be dropped bound the cost from below. Zero without a TDMR rule ({@code fill_out_tdmrs}).
   */
  private long tdmrBound(FillOutSweep sweep, int from) {
    if (rules.isEmpty()) {
      return 0;
    }
    long openEnd = sweep.isOpen() ? sweep.end() : 0;
    // The blocks are sorted and disjoint, so their rounded ends never decrease: blocks sharing an
    // end are neighbours, and one pass adds up each end's cost.
    long[] dropCost = new long[blocks.size() - from];
    int ends = 0;
    long lastEnd = 0;
    for (int j = from; j < blocks.size(); j++) {
      if (blocks.get(j).end() <= openEnd) {
        continue;
      }
      if (ends > 0 && tdmrEnd[j] == lastEnd) {
        dropCost[ends - 1] += endDropCost[j];
      } else {
        dropCost[ends++] = endDropCost[j];
        lastEnd = tdmrEnd[j];
      }
    }
    int need = sweep.tdmrs() + ends - rules.get().maxTdmrs();
    if (need <= 0) {
      return 0;
    }
    Arrays.sort(dropCost, 0, ends);
    long sum = 0;
    for (int k = 0; k < need && k < ends; k++) {
      sum += dropCost[k];
    }
    return sum;
  }

  private List<AddressRange> giveUpOf(Node leaf) {
    List<AddressRange> out = new ArrayList<>(forced);
    for (Node n = leaf; n.parent != null; n = n.parent) {
      out.addAll(options.get(n.depth - 1).get(n.option).giveUp());
    }
    return AddressRange.union(out);
  }

  /**
   * A first answer for linux constructions: while the replay fails with reserved areas exhausted in
   * a TDMR, give up the smallest block inside it; while it runs out of TDMRs, the smallest block.
   */
  private Optional<List<AddressRange>> repair(BooleanSupplier timeUp) {
    if (rules.isEmpty()) {
      return Optional.empty();
    }
    LinuxGreedy greedy = new LinuxGreedy(rules.get().holes(), PamtPlacement.kernel());
    List<AddressRange> giveUp = new ArrayList<>(forced);
    for (int step = 0; step <= blocks.size(); step++) {
      if (timeUp.getAsBoolean()) {
        // Each step replays the construction twice: on large maps the time limit strikes here.
        return Optional.empty();
      }
      MemoryMap candidate = without(map, AddressRange.union(giveUp));
      replayed++;
      if (construction.succeeds(candidate)) {
        return Optional.of(AddressRange.union(giveUp));
      }
      GreedyResult result = greedy.construct(candidate, limits);
      if (!(result instanceof GreedyResult.Failed failed)) {
        return Optional.empty();
      }
      Optional<AddressRange> within = switch (failed.cause()) {
        case RESERVED_AREAS_EXHAUSTED -> failed.failingTdmrRange();
        case TDMRS_EXHAUSTED -> Optional.of(new AddressRange(0, Long.MAX_VALUE));
        default -> Optional.empty();
      };
      if (within.isEmpty()) {
        return Optional.empty();
      }
      Optional<MemoryBlock> smallest = candidate.blocks().stream()
          .filter(b -> within.get().contains(b.range()))
          .min(Comparator.comparingLong(MemoryBlock::size).thenComparingLong(MemoryBlock::start));
      if (smallest.isEmpty()) {
        return Optional.empty();
      }
      giveUp.add(smallest.get().range());
    }
    return Optional.empty();
  }

  private static long bytes(List<AddressRange> ranges) {
    return ranges.stream().mapToLong(AddressRange::size).sum();
  }
}
