/** The tdmr command line: thin commands that parse, call an engine, print and exit. */
package tdmr.cli;
