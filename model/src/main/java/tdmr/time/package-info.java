/** How long a command may work: the deadline every engine, model builder and search honours. */
package tdmr.time;
