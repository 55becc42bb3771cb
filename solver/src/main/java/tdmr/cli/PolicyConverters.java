package tdmr.cli;

import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Collectors;
import picocli.CommandLine;
import tdmr.tdx.Policy;

/**
 * The picocli converters of the policy options: each accepts exactly the values' {@code text()}
 * ({@code memlist}, {@code node-local}, ...), as JSON writes them.
 */
final class PolicyConverters {
  private PolicyConverters() {}

  /** {@code memlist} or {@code cmr}. */
  static final class HolesConverter implements CommandLine.ITypeConverter<Policy.Holes> {
    @Override
    public Policy.Holes convert(String value) {
      return byText(Policy.Holes.values(), Policy.Holes::text, value);
    }
  }

  /** {@code node-local} or {@code any}. */
  static final class PamtConverter implements CommandLine.ITypeConverter<Policy.PamtPlacementPolicy> {
    @Override
    public Policy.PamtPlacementPolicy convert(String value) {
      return byText(Policy.PamtPlacementPolicy.values(), Policy.PamtPlacementPolicy::text, value);
    }
  }

  /** {@code all} or {@code max}. */
  static final class CoverageConverter implements CommandLine.ITypeConverter<Policy.Coverage> {
    @Override
    public Policy.Coverage convert(String value) {
      return byText(Policy.Coverage.values(), Policy.Coverage::text, value);
    }
  }

  /** What {@code --holes} accepts, for shell completion. */
  static final class HolesValues implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(Policy.Holes.values()).map(Policy.Holes::text).iterator();
    }
  }

  /** What {@code --pamt} accepts, for shell completion. */
  static final class PamtValues implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(Policy.PamtPlacementPolicy.values()).map(Policy.PamtPlacementPolicy::text).iterator();
    }
  }

  /** What {@code --coverage} accepts, for shell completion. */
  static final class CoverageValues implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(Policy.Coverage.values()).map(Policy.Coverage::text).iterator();
    }
  }

  private static <E> E byText(E[] values, java.util.function.Function<E, String> text, String value) {
    for (E e : values) {
      if (text.apply(e).equals(value)) {
        return e;
      }
    }
    String expected = Arrays.stream(values).map(text).collect(Collectors.joining(" or "));
    throw new CommandLine.TypeConversionException("expected " + expected + ", got '" + value + "'");
  }

  /** {@code module} or {@code kernel}. */
  static final class FamilyConverter implements CommandLine.ITypeConverter<Policy.Family> {
    @Override
    public Policy.Family convert(String value) {
      return byText(Policy.Family.values(), Policy.Family::text, value);
    }
  }

  /** What {@code --family} accepts, for shell completion. */
  static final class FamilyValues implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(Policy.Family.values()).map(Policy.Family::text).iterator();
    }
  }
}
