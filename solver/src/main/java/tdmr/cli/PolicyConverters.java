package tdmr.cli;

import picocli.CommandLine;
import tdmr.tdx.Policy;

/** The picocli converters of the policy options {@code --holes}, {@code --pamt} and {@code --coverage}. */
final class PolicyConverters {
  private PolicyConverters() {}

  /** {@code memlist} or {@code cmr}. */
  static final class HolesConverter implements CommandLine.ITypeConverter<Policy.Holes> {
    @Override
    public Policy.Holes convert(String value) {
      return switch (value) {
        case "memlist" -> Policy.Holes.MEMLIST;
        case "cmr" -> Policy.Holes.CMR;
        default -> throw new CommandLine.TypeConversionException("expected memlist or cmr, got '" + value + "'");
      };
    }
  }

  /** {@code node-local} or {@code any}. */
  static final class PamtConverter implements CommandLine.ITypeConverter<Policy.PamtPlacementPolicy> {
    @Override
    public Policy.PamtPlacementPolicy convert(String value) {
      return switch (value) {
        case "node-local" -> Policy.PamtPlacementPolicy.NODE_LOCAL;
        case "any" -> Policy.PamtPlacementPolicy.ANY;
        default -> throw new CommandLine.TypeConversionException("expected node-local or any, got '" + value + "'");
      };
    }
  }

  /** {@code all} or {@code max}. */
  static final class CoverageConverter implements CommandLine.ITypeConverter<Policy.Coverage> {
    @Override
    public Policy.Coverage convert(String value) {
      return switch (value) {
        case "all" -> Policy.Coverage.ALL;
        case "max" -> Policy.Coverage.MAX;
        default -> throw new CommandLine.TypeConversionException("expected all or max, got '" + value + "'");
      };
    }
  }
}
