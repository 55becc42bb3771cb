package tdmr.solver;

import java.util.List;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;

/** Test fixture: the engines a cross-check compares. */
final class CrossCheckEngines {
  private CrossCheckEngines() {}

  static List<Engine> all() {
    return List.of(new CpSatEngine(), new Z3Engine());
  }
}
