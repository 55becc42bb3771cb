/** JMH microbenchmarks of the fast paths (the Linux greedy). */
package tdmr.bench.jmh;
