/** Solver-neutral problem, result types and the engines that read them. */
package tdmr.solver;
