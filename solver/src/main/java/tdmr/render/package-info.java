/** Pictures of memory maps and layouts: SVG and self-contained HTML for people to look at. */
package tdmr.render;
