/** {@code tdmr gather}: collects what a TDX host says about its memory into one bundle ({@link tdmr.parse.Bundle}). */
package tdmr.gather;
