/**
 * The CP-SAT engine: an exact model of the kernel-shaped layout family of {@link tdmr.solver.Problem},
 * solved with OR-Tools CP-SAT, with honest OPTIMAL/FEASIBLE/INFEASIBLE/UNKNOWN statuses.
 */
package tdmr.solver.cpsat;
