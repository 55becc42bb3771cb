/**
 * Infeasibility explained in the domain's words: the named constraint groups an engine tracks and
 * the sentences a minimal unsat core of them becomes.
 */
package tdmr.solver.explain;
