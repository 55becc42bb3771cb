package tdmr.solver.fix;

import java.util.Optional;
import tdmr.check.ModuleValidator;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.greedy.PamtPlacement;
import tdmr.mem.MemoryMap;
import tdmr.solver.Engine;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The judge of every candidate: a kernel's TDMR construction replayed on a map. It succeeds when
 * the construction builds a layout the TDX module accepts (a layout TDH.SYS.CONFIG rejects is the
 * kernel failing with {@code -EIO}).
 */
public interface Construction {

  /** Its name on the command line: {@code greedy}, {@code greedy-cmr}, ... */
  String name();

  boolean succeeds(MemoryMap map);

  /**
   * The hole rule when the construction opens TDMRs as {@code fill_out_tdmrs} does and reserves
   * holes and PAMT pieces as mainline does, so that {@link FillOutSweep} bounds it; empty for
   * constructions that do something else.
   */
  Optional<Policy.Holes> fillOutHoles();

  /** Mainline Linux, or mainline with the CMR-holes patch, with the kernel's PAMT placement model. */
  static Construction linux(Policy.Holes holes, TdxLimits limits) {
    LinuxGreedy greedy = new LinuxGreedy(holes, PamtPlacement.kernel());
    return new Construction() {
      @Override
      public String name() {
        return holes == Policy.Holes.CMR ? "greedy-cmr" : "greedy";
      }

      @Override
      public boolean succeeds(MemoryMap map) {
        return greedy.construct(map, limits) instanceof GreedyResult.Built built
            && new ModuleValidator(map.cmrs(), limits).accepts(built.layout());
      }

      @Override
      public Optional<Policy.Holes> fillOutHoles() {
        return Optional.of(holes);
      }
    };
  }

  /** Any registered engine, judged by whether it builds a layout. */
  static Construction engine(Engine engine, TdxLimits limits, SolveOptions options) {
    return new Construction() {
      @Override
      public String name() {
        return engine.name();
      }

      @Override
      public boolean succeeds(MemoryMap map) {
        return engine.solve(map, limits, Policy.KERNEL, options).status().hasLayout();
      }

      @Override
      public Optional<Policy.Holes> fillOutHoles() {
        return Optional.empty();
      }
    };
  }
}
