/** Measurements of the CP-SAT engine: model size and solve time on the real maps. */
package tdmr.bench.cpsat;
