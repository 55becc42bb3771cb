package tdmr.solver;

import java.util.Optional;
import tdmr.check.LayoutVerifier;
import tdmr.tdx.Layout;

/**
 * The layout {@link FilledStart} builds, when it is already the module family's optimum: it passes
 * the validator and meets, in every ranked tier, the lower bound derived for the whole family
 * ({@link ModuleFamilyRestrictions#meetsFamilyBounds}). Then no layout of the family beats it in
 * any tier (each bound holds for every layout, and a layout tying it in the tiers before a tier
 * has at least that tier's bound), so it is {@code OPTIMAL} without a model, and the claim names
 * no restriction. Both engines ask it before they build their model: on the sweeps' memmap hosts
 * (256 GiB nodes with memmap= holes) the construction meets every bound on most nodes, and the
 * models took 2-3 s of a 10 s limit to build before the search proved each tier at its bound.
 */
public final class BuiltOptimum {
  private BuiltOptimum() {}

  /** {@code built} (a layout of {@code instance}'s map) when it is valid and meets every tier's family bound. */
  public static Optional<Layout> of(Instance instance, Optional<Layout> built) {
    if (built.isEmpty() || !instance.moduleFamily()) {
      return Optional.empty();
    }
    Layout layout = built.get();
    if (!LayoutVerifier.failures(instance.map(), instance.limits(), instance.policy(), layout).isEmpty()) {
      return Optional.empty();
    }
    LayoutScore score = LayoutScore.of(instance.map(), instance.limits(), instance.policy(), layout);
    return ModuleFamilyRestrictions.meetsFamilyBounds(instance, score) ? built : Optional.empty();
  }
}
