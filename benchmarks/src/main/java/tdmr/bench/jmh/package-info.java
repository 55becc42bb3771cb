/**
 * JMH microbenchmarks of the fast paths: the Linux greedy, the map readers and the module
 * validator. Inputs are built in {@code @Setup} and checked there once; the measured methods only
 * call the code under test.
 */
package tdmr.bench.jmh;
