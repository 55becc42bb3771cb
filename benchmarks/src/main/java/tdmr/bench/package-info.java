/** Synthetic map generators, greedy-versus-optimal sweeps and JMH microbenchmarks. */
package tdmr.bench;
