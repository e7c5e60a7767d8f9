// The region-less wrong heaps of the catalogue (regionless_heaps.h).
#include "fuzz/heaps/wrong/regionless_heaps.h"
