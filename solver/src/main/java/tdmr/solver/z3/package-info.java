/** The Z3 engine: an SMT encoding of the layout family, optimised with Z3's Optimize. */
package tdmr.solver.z3;
