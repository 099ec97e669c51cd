/* The viewer script embedded in flame graph SVGs. */
#ifndef WHYSLOW_RENDER_FLAMEGRAPH_JS_H
#define WHYSLOW_RENDER_FLAMEGRAPH_JS_H

extern const char flamegraph_js[];

#endif
