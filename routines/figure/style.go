package figure

// CSS styles every picture. It is inside each SVG file (so a picture shown as
// an <img> or opened alone keeps its colours, dark mode and still version) and
// is repeated in the client app's style.css, because a picture placed inline
// in the page may not carry its own <style> under the page's CSP. Everything
// is scoped to .fig so it cannot touch the page around it.
//
// Paper is white, so print keeps the light tones even on a phone in dark mode.
//
// Tones: near limbs darkest (the working side), the body in between, far limbs
// lightest, so depth reads; the muscle that should feel the stretch is warm.
const CSS = `.fig{--fn:#3b332d;--fb:#8e8175;--fv:#62564c;--ff:#c7baac;--fh:#e0592a;--fs:#2f6f62;--fq:#ece3d7;--fk:#9c8e80;--fm:#d6e9e1;--fg:#f0e9df;--ft:#2b2621;--fo:#fffcf7}` +
	`@media screen and (prefers-color-scheme:dark){.fig{--fn:#f3ede5;--fb:#a99c8f;--fv:#d3c8bb;--ff:#6d635a;--fh:#ff8a5b;--fs:#8fd0bd;--fq:#3a342e;--fk:#7e7266;--fm:#22352f;--fg:#2f2a25;--ft:#f3ede5;--fo:#262320}}` +
	`.fig path{fill:none;stroke-linecap:round;stroke-linejoin:round}` +
	`.fig .n{stroke:var(--fn)}.fig .f{stroke:var(--ff)}.fig .e{stroke:var(--fb)}.fig .h{stroke:var(--fh)}.fig .s{stroke:var(--fs);stroke-width:2.5}` +
	`.fig .b{fill:var(--fb)}.fig .v{fill:var(--fv)}` +
	`.fig .q{fill:var(--fq);stroke:var(--fk);stroke-width:1.2}.fig .m{fill:var(--fm);stroke:var(--fm)}.fig .g{fill:var(--fg);stroke:var(--fg)}` +
	`.fig .t{stroke-width:15}.fig .c{stroke-width:11}.fig .o,.fig .d{stroke-width:6.5}.fig .u,.fig .k{stroke-width:10}.fig .w{stroke-width:8}` +
	`.fig .hd{stroke-width:22}.fig .no{stroke-width:6}` +
	`.fig .x{stroke:var(--fo)}.fig .x.t{stroke-width:18}.fig .x.c{stroke-width:14}.fig .x.o,.fig .x.d{stroke-width:9.5}.fig .x.u{stroke-width:13}.fig .x.w{stroke-width:11}` +
	`.fig .hm{stroke-width:8}.fig .gl{stroke-width:15}.fig .lb{stroke-width:7}.fig .sn{stroke-width:3}.fig .oh{stroke-width:12}` +
	`.fig .fig-p{display:none}.fig .fig-r{stroke:var(--fk);stroke-width:1}` +
	`.fig .fig-l{font:600 13px system-ui,sans-serif;fill:var(--ft)}` +
	`@media (prefers-reduced-motion:reduce),print{.fig .fig-a{display:none}.fig .fig-p{display:inline}}`
