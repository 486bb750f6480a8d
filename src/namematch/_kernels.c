/* The weighted edit distance of namematch.distance in C: the inner loop of comparing names.
 *
 * namematch.distance.weighted_distance_py is the reference: this function takes the same
 * steps in the same order on IEEE doubles, so it returns the very same float (a property
 * test checks it). The wheel build compiles this module where a C compiler is at hand;
 * without it, the Python function runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Forms are short (at most 64 symbols: namematch.distance.MAX_FORM); rows live on the stack. */
#define MAX_SYMBOLS 64

/* The weighted edit distance of xs and ys (see distance() below); HUGE_VAL as soon as a
 * whole row exceeds limit. */
static double
weighted(const int32_t *xs, Py_ssize_t nx, const int32_t *ys, Py_ssize_t ny,
         const double *costs, Py_ssize_t size, double limit)
{
    const double *indel = costs;
    const double *start_indel = indel + size;
    const double *substitute = start_indel + size;
    const double *start_substitute = substitute + size * size;

    double b_cost[MAX_SYMBOLS];
    double rows[2][MAX_SYMBOLS + 1];
    double *previous = rows[0], *current = rows[1];
    for (Py_ssize_t j = 0; j < ny; j++) {
        b_cost[j] = ys[j] < size ? indel[ys[j]] : 1.0;
    }
    if (ny > 0 && ys[0] < size) {
        b_cost[0] = start_indel[ys[0]];
    }
    double total = 0.0;
    previous[0] = 0.0;
    for (Py_ssize_t j = 0; j < ny; j++) {
        total += b_cost[j];
        previous[j + 1] = total;
    }
    for (Py_ssize_t i = 0; i < nx; i++) {
        int32_t x = xs[i];
        int known = x < size;
        double x_cost = known ? (i == 0 ? start_indel[x] : indel[x]) : 1.0;
        const double *row = substitute + (known ? x * size : 0);
        double left = previous[0] + x_cost;
        double best = left;
        current[0] = left;
        for (Py_ssize_t j = 0; j < ny; j++) {
            int32_t y = ys[j];
            double change;
            if (x == y) {
                change = 0.0;
            } else if (!known || y >= size) {
                change = 1.0;
            } else if (i == 0 && j == 0) {
                change = start_substitute[x * size + y];
            } else {
                change = row[y];
            }
            double diagonal = previous[j] + change;
            double up = previous[j + 1] + x_cost;
            left += b_cost[j];
            if (up < left) {
                left = up;
            }
            if (diagonal < left) {
                left = diagonal;
            }
            current[j + 1] = left;
            if (left < best) {
                best = left;
            }
        }
        if (best > limit) {
            return HUGE_VAL;
        }
        double *swap = previous;
        previous = current;
        current = swap;
    }
    return previous[ny];
}

static int
costs_fit(Py_ssize_t ncosts, Py_ssize_t size)
{
    return size > 0 && ncosts == 2 * size + 2 * size * size;
}

/* distance(xs, ys, costs, size, limit) -> float
 *
 * xs, ys: each form's symbols as native int32 (bytes); costs: native doubles, in order
 * indel[size], start_indel[size], substitute[size * size], start_substitute[size * size];
 * a symbol >= size is outside the alphabet and its edits cost 1. Returns inf as soon as a
 * whole row exceeds limit.
 */
static PyObject *
distance(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "distance() takes 5 arguments");
        return NULL;
    }
    if (!PyBytes_Check(args[0]) || !PyBytes_Check(args[1]) || !PyBytes_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "distance(): xs, ys and costs must be bytes");
        return NULL;
    }
    Py_ssize_t size = PyLong_AsSsize_t(args[3]);
    double limit = PyFloat_AsDouble(args[4]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_ssize_t nx = PyBytes_GET_SIZE(args[0]) / (Py_ssize_t)sizeof(int32_t);
    Py_ssize_t ny = PyBytes_GET_SIZE(args[1]) / (Py_ssize_t)sizeof(int32_t);
    Py_ssize_t ncosts = PyBytes_GET_SIZE(args[2]) / (Py_ssize_t)sizeof(double);
    if (nx > MAX_SYMBOLS || ny > MAX_SYMBOLS || !costs_fit(ncosts, size)) {
        PyErr_SetString(PyExc_ValueError, "distance(): forms too long or cost table malformed");
        return NULL;
    }
    int32_t xs[MAX_SYMBOLS], ys[MAX_SYMBOLS];
    memcpy(xs, PyBytes_AS_STRING(args[0]), (size_t)nx * sizeof(int32_t));
    memcpy(ys, PyBytes_AS_STRING(args[1]), (size_t)ny * sizeof(int32_t));
    return PyFloat_FromDouble(weighted(xs, nx, ys, ny, (const double *)PyBytes_AS_STRING(args[2]),
                                       size, limit));
}

/* Memo: the similarities of pairs of folded forms one run has computed, and computing the
 * ones it lacks: the twin of namematch.distance.MemoPy (its reference; a property test
 * checks that both answer alike). Answering here saves, for each of the millions of part
 * comparisons of a run, the dict look-ups, tuples and bound checks Python would take, and
 * for a pair not met before, the skeleton Levenshtein distance and the weighted distance.
 *
 * Two open-addressing tables: pairs keyed by the ordered pair of form strings, and the
 * forms it has been told of (add_form), keyed by their string. Each holds a reference to
 * its strings. The pairs are emptied when they number `limit`, the forms too (a form recurs
 * in many pairs: a large list meets hundreds of thousands, and making a form again costs
 * more than comparing it). Python caches a string's hash, so a look-up hashes nothing anew.
 *
 * The forms are kept compact, as many as the pairs: the table holds only each form's hash
 * and its place in an array of forms (8 bytes a slot), the forms their symbols in one
 * shared array of bytes, one byte a symbol where all fit (almost every form: folded forms
 * are Latin), else four.
 */
typedef struct {
    PyObject *a;        /* NULL for an empty slot */
    PyObject *b;
    double similarity;
    double floor;       /* the floor the similarity was computed with */
    uint32_t hash;
    int32_t edits;      /* skeleton edits between the two forms, as the floor bounds them */
} Entry;

typedef struct {
    PyObject *text;
    double length;
    double consonantal_length;
    uint32_t symbols;   /* where its n_symbols symbols start in the memo's symbols, then the
                           n_skeleton code points of the skeleton */
    int16_t n_symbols;
    int16_t n_skeleton;
    char unvocalized;
    char wide;          /* its symbols take four bytes each, else one */
} FormSlot;

typedef struct {
    uint32_t hash;
    uint32_t at;        /* 1 + the form's place in the memo's forms; 0 for an empty slot */
} FormIndex;

typedef struct {
    PyObject_HEAD
    Entry *slots;
    Py_ssize_t capacity;  /* a power of two, or 0 */
    Py_ssize_t size;
    Py_ssize_t limit;
    FormIndex *form_slots;
    Py_ssize_t form_capacity;   /* of form_slots: a power of two, or 0 */
    FormSlot *forms;            /* form_count of them, room for form_room */
    Py_ssize_t form_count;
    Py_ssize_t form_room;
    uint8_t *symbols;           /* the forms' symbols, symbol_count bytes */
    Py_ssize_t symbol_count;
    Py_ssize_t symbol_room;
    Py_ssize_t max_form;
    double edits_per_unit;
    double conflict_below;
    double slack;
    int letter_bits;
    long long longest_skeleton;
    long long aliased;
    PyObject *costs;      /* 3 bytes: both forms spelled, one unvocalized, both unvocalized */
    Py_ssize_t alphabet;
    PyObject *form;       /* text -> namematch.distance.Form, for the forms moves() meets */
    PyObject *same_part;  /* the alias table's same_part(a, b), or None */
} Memo;

/* What forms() and parts() answer when they cannot alone (see MemoPy). */
#define NEEDS_FORMS (-1.0)
#define BOTH_ALIASED (-2.0)
#define FAILED (-3.0)

/* A zeroed table of count entries of size bytes. The memo's tables are read at random and
 * grow to hundreds of megabytes: on Linux they are mapped in huge pages where the kernel
 * allows it, so that a look-up misses the cache once rather than the address translation
 * too. NULL (with MemoryError) if there is no memory. */
static void *
table_new(Py_ssize_t count, size_t size)
{
    size_t bytes = (size_t)count * size;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= ((size_t)1 << 21)) {
        void *table = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
        if (table == MAP_FAILED) {
            PyErr_NoMemory();
            return NULL;
        }
        madvise(table, bytes, MADV_HUGEPAGE);  /* a hint: without it, small pages */
        return table;
    }
#endif
    void *table = PyMem_Calloc((size_t)count, size);
    if (table == NULL) {
        PyErr_NoMemory();
    }
    return table;
}

/* Free a table of table_new. */
static void
table_free(void *table, Py_ssize_t count, size_t size)
{
    if (table == NULL) {
        return;
    }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    size_t bytes = (size_t)count * size;
    if (bytes >= ((size_t)1 << 21)) {
        munmap(table, bytes);
        return;
    }
#endif
    PyMem_Free(table);
}

static void
empty_pairs(Memo *self)
{
    for (Py_ssize_t k = 0; k < self->capacity; k++) {
        Entry *slot = &self->slots[k];
        if (slot->a != NULL) {
            Py_CLEAR(slot->a);
            Py_CLEAR(slot->b);
        }
    }
    self->size = 0;
}

static void
empty_forms(Memo *self)
{
    for (Py_ssize_t k = 0; k < self->form_count; k++) {
        Py_CLEAR(self->forms[k].text);
    }
    if (self->form_count > 0) {
        memset(self->form_slots, 0, (size_t)self->form_capacity * sizeof(FormIndex));
    }
    self->form_count = 0;
    self->symbol_count = 0;
}

static int
memo_init(Memo *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"limit", "max_form", "edits_per_unit", "letter_bits",
                             "longest_skeleton", "aliased", "conflict_below", "slack",
                             "costs", "alphabet", "form", "same_part", NULL};
    PyObject *costs = NULL, *form = NULL, *same_part = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "nndiLLddO!nO|O", kwlist, &self->limit,
                                     &self->max_form, &self->edits_per_unit,
                                     &self->letter_bits, &self->longest_skeleton,
                                     &self->aliased, &self->conflict_below, &self->slack,
                                     &PyTuple_Type, &costs, &self->alphabet, &form,
                                     &same_part)) {
        return -1;
    }
    if (self->limit < 1 || self->letter_bits < 1 || self->letter_bits > 62 ||
        self->max_form > MAX_SYMBOLS || PyTuple_GET_SIZE(costs) != 3 ||
        !PyCallable_Check(form) || (same_part != Py_None && !PyCallable_Check(same_part))) {
        PyErr_SetString(PyExc_ValueError, "Memo(): a setting is out of range");
        return -1;
    }
    Py_INCREF(form);
    Py_XSETREF(self->form, form);
    Py_INCREF(same_part);
    Py_XSETREF(self->same_part, same_part);
    for (Py_ssize_t k = 0; k < 3; k++) {
        PyObject *table = PyTuple_GET_ITEM(costs, k);
        if (!PyBytes_Check(table) ||
            !costs_fit(PyBytes_GET_SIZE(table) / (Py_ssize_t)sizeof(double), self->alphabet)) {
            PyErr_SetString(PyExc_ValueError, "Memo(): a cost table is malformed");
            return -1;
        }
    }
    Py_INCREF(costs);
    Py_XSETREF(self->costs, costs);
    empty_pairs(self);
    empty_forms(self);
    return 0;
}

static void
memo_dealloc(Memo *self)
{
    empty_pairs(self);
    empty_forms(self);
    table_free(self->slots, self->capacity, sizeof(Entry));
    table_free(self->form_slots, self->form_capacity, sizeof(FormIndex));
    PyMem_Free(self->forms);
    PyMem_Free(self->symbols);
    Py_XDECREF(self->costs);
    Py_XDECREF(self->form);
    Py_XDECREF(self->same_part);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static uint32_t
pair_hash(Py_hash_t a, Py_hash_t b)
{
    uint64_t mixed = (uint64_t)a * 0x9E3779B97F4A7C15ULL ^ (uint64_t)b;
    mixed ^= mixed >> 29;
    mixed *= 0xBF58476D1CE4E5B9ULL;
    return (uint32_t)(mixed ^ (mixed >> 32));
}

static int
same_text(PyObject *x, PyObject *y)
{
    return x == y || PyUnicode_Compare(x, y) == 0;
}

/* The slot of the pair (a, b): the entry holding it, or the empty slot it would take. */
static Entry *
pair_slot(Entry *slots, Py_ssize_t capacity, PyObject *a, PyObject *b, uint32_t hash)
{
    size_t mask = (size_t)capacity - 1;
    for (size_t k = hash & mask;; k = (k + 1) & mask) {
        Entry *slot = &slots[k];
        if (slot->a == NULL ||
            (slot->hash == hash && same_text(slot->a, a) && same_text(slot->b, b))) {
            return slot;
        }
    }
}

/* The slot of the form text: the one pointing to it, or the empty slot it would take
 * (forms NULL: the first empty slot, for a form known to be absent). */
static FormIndex *
form_slot(FormIndex *slots, Py_ssize_t capacity, const FormSlot *forms, PyObject *text,
          uint32_t hash)
{
    size_t mask = (size_t)capacity - 1;
    for (size_t k = hash & mask;; k = (k + 1) & mask) {
        FormIndex *slot = &slots[k];
        if (slot->at == 0 ||
            (forms != NULL && slot->hash == hash && same_text(forms[slot->at - 1].text, text))) {
            return slot;
        }
    }
}

/* The capacity a table holding count entries needs for one more: itself while that keeps it
 * at most 70% full, else doubled (64 at first). */
static Py_ssize_t
capacity_for_one_more(Py_ssize_t count, Py_ssize_t capacity)
{
    if ((count + 1) * 10 <= capacity * 7) {
        return capacity;
    }
    return capacity ? capacity * 2 : 64;
}

/* Room for one more pair. */
static int
grow_pairs(Memo *self)
{
    Py_ssize_t capacity = capacity_for_one_more(self->size, self->capacity);
    if (capacity == self->capacity) {
        return 0;
    }
    Entry *slots = table_new(capacity, sizeof(Entry));
    if (slots == NULL) {
        return -1;
    }
    for (Py_ssize_t k = 0; k < self->capacity; k++) {
        Entry *old = &self->slots[k];
        if (old->a != NULL) {
            *pair_slot(slots, capacity, old->a, old->b, old->hash) = *old;
        }
    }
    table_free(self->slots, self->capacity, sizeof(Entry));
    self->slots = slots;
    self->capacity = capacity;
    return 0;
}

/* Grow an array of *room items of size bytes to hold needed; -1 with MemoryError. */
static int
room_for(void **items, Py_ssize_t *room, Py_ssize_t needed, size_t size)
{
    if (needed <= *room) {
        return 0;
    }
    Py_ssize_t grown = *room ? *room : 64;
    while (grown < needed) {
        grown *= 2;
    }
    void *moved = PyMem_Realloc(*items, (size_t)grown * size);
    if (moved == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *items = moved;
    *room = grown;
    return 0;
}

/* Room for one more form of bytes bytes of symbols. */
static int
grow_forms(Memo *self, Py_ssize_t bytes)
{
    if (room_for((void **)&self->forms, &self->form_room, self->form_count + 1,
                 sizeof(FormSlot)) < 0 ||
        room_for((void **)&self->symbols, &self->symbol_room, self->symbol_count + bytes,
                 1) < 0) {
        return -1;
    }
    Py_ssize_t capacity = capacity_for_one_more(self->form_count, self->form_capacity);
    if (capacity == self->form_capacity) {
        return 0;
    }
    FormIndex *slots = table_new(capacity, sizeof(FormIndex));
    if (slots == NULL) {
        return -1;
    }
    for (Py_ssize_t k = 0; k < self->form_capacity; k++) {
        FormIndex *old = &self->form_slots[k];
        if (old->at != 0) {
            *form_slot(slots, capacity, NULL, NULL, old->hash) = *old;
        }
    }
    table_free(self->form_slots, self->form_capacity, sizeof(FormIndex));
    self->form_slots = slots;
    self->form_capacity = capacity;
    return 0;
}

/* The form text if the memo knows it, else NULL. Valid until the next add_form. */
static const FormSlot *
known_form(Memo *self, PyObject *text)
{
    if (self->form_count == 0) {
        return NULL;
    }
    Py_hash_t hash = PyObject_Hash(text);
    FormIndex *slot = form_slot(self->form_slots, self->form_capacity, self->forms, text,
                                (uint32_t)hash);
    return slot->at != 0 ? &self->forms[slot->at - 1] : NULL;
}

static long long
edits_allowed(Memo *self, double floor)
{
    return (long long)((1.0 - floor) * self->edits_per_unit);
}

/* The Levenshtein distance of two skeletons, or at_most + 1 if it is more than at_most
 * (what rapidfuzz answers with score_cutoff=at_most). */
static long long
skeleton_edits(const int32_t *xs, Py_ssize_t nx, const int32_t *ys, Py_ssize_t ny,
               long long at_most)
{
    Py_ssize_t rows[2][MAX_SYMBOLS + 1];
    Py_ssize_t *previous = rows[0], *current = rows[1];
    for (Py_ssize_t j = 0; j <= ny; j++) {
        previous[j] = j;
    }
    for (Py_ssize_t i = 0; i < nx; i++) {
        current[0] = i + 1;
        for (Py_ssize_t j = 0; j < ny; j++) {
            Py_ssize_t best = previous[j] + (xs[i] != ys[j]);
            if (previous[j + 1] + 1 < best) {
                best = previous[j + 1] + 1;
            }
            if (current[j] + 1 < best) {
                best = current[j] + 1;
            }
            current[j + 1] = best;
        }
        Py_ssize_t *swap = previous;
        previous = current;
        current = swap;
    }
    return previous[ny] > at_most ? at_most + 1 : previous[ny];
}

/* A form's symbols, then its skeleton's code points, into out (room for 2 * MAX_SYMBOLS). */
static void
read_symbols(const Memo *self, const FormSlot *form, int32_t *out)
{
    const uint8_t *at = self->symbols + form->symbols;
    Py_ssize_t count = form->n_symbols + form->n_skeleton;
    if (form->wide) {
        memcpy(out, at, (size_t)count * sizeof(int32_t));
        return;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        out[k] = at[k];
    }
}

/* The entry of two known forms x < y at floor: the steps of MemoPy._compute. */
static void
compute(Memo *self, const FormSlot *x, const FormSlot *y, double floor, Entry *entry)
{
    int32_t xs[2 * MAX_SYMBOLS], ys[2 * MAX_SYMBOLS];
    read_symbols(self, x, xs);
    read_symbols(self, y, ys);
    long long allowed = edits_allowed(self, floor);
    long long edits = skeleton_edits(xs + x->n_symbols, x->n_skeleton, ys + y->n_symbols,
                                     y->n_skeleton, allowed + 1);
    entry->edits = (int32_t)edits;
    if (edits > allowed) {
        entry->similarity = 0.0;
        entry->floor = floor;
        return;
    }
    double length;
    if (x->unvocalized != y->unvocalized) {
        length = x->consonantal_length > y->consonantal_length ? x->consonantal_length
                                                                : y->consonantal_length;
    } else {
        length = x->length > y->length ? x->length : y->length;
    }
    if (length < 1.0) {
        length = 1.0;
    }
    double depth = floor < self->conflict_below ? floor : self->conflict_below;
    volatile double scaled = (1.0 - depth) * length;  /* no fused multiply-add: Python has none */
    double limit = scaled + self->slack;
    int mode = x->unvocalized != y->unvocalized ? 1 : (x->unvocalized ? 2 : 0);
    const double *costs = (const double *)PyBytes_AS_STRING(PyTuple_GET_ITEM(self->costs, mode));
    double similarity = 1.0 - weighted(xs, x->n_symbols, ys, y->n_symbols, costs,
                                       self->alphabet, limit) / length;
    entry->similarity = similarity >= depth ? similarity : 0.0;
    entry->floor = depth;
}

/* Remember the pair a < b; the pairs are emptied first if full. */
static Entry *
insert_pair(Memo *self, PyObject *a, PyObject *b, uint32_t hash)
{
    if (self->size >= self->limit) {
        empty_pairs(self);
    }
    if (grow_pairs(self) < 0) {
        return NULL;
    }
    Entry *slot = pair_slot(self->slots, self->capacity, a, b, hash);
    if (slot->a == NULL) {
        Py_INCREF(a);
        Py_INCREF(b);
        slot->a = a;
        slot->b = b;
        slot->hash = hash;
        self->size++;
    }
    return slot;
}

/* a and b as the memo orders them (by code point, as Python compares str); 0 if equal. */
static int
ordered(PyObject **a, PyObject **b)
{
    if (*a == *b) {
        return 0;
    }
    int order = PyUnicode_Compare(*a, *b);
    if (order > 0) {
        PyObject *swap = *a;
        *a = *b;
        *b = swap;
    }
    return order;
}

/* The pair's entry, computed if new; NULL with *found set to NEEDS_FORMS or FAILED. */
static const Entry *
pair_entry(Memo *self, PyObject *a, PyObject *b, double floor, double *found)
{
    uint32_t hash = pair_hash(PyObject_Hash(a), PyObject_Hash(b));
    if (self->size > 0) {
        Entry *slot = pair_slot(self->slots, self->capacity, a, b, hash);
        if (slot->a != NULL && !(slot->similarity == 0.0 && slot->floor > floor)) {
            return slot;
        }
    }
    const FormSlot *x = known_form(self, a), *y = known_form(self, b);
    if (x == NULL || y == NULL) {
        *found = NEEDS_FORMS;
        return NULL;
    }
    Entry computed;
    compute(self, x, y, floor, &computed);
    Entry *slot = insert_pair(self, a, b, hash);
    if (slot == NULL) {
        *found = FAILED;
        return NULL;
    }
    slot->similarity = computed.similarity;
    slot->floor = computed.floor;
    slot->edits = computed.edits;
    if (self->form_count >= self->limit) {
        empty_forms(self);
    }
    return slot;
}

/* The similarity of forms a and b (str) at floor, or NEEDS_FORMS, or FAILED. */
static double
memo_forms(Memo *self, PyObject *a, PyObject *b, double floor)
{
    int order = ordered(&a, &b);
    if (order == 0) {
        return 1.0;
    }
    if (PyUnicode_GET_LENGTH(a) > self->max_form || PyUnicode_GET_LENGTH(b) > self->max_form) {
        return 0.0;
    }
    double found = FAILED;
    const Entry *entry = pair_entry(self, a, b, floor, &found);
    if (entry == NULL) {
        return found;
    }
    return entry->similarity >= floor && entry->edits <= edits_allowed(self, floor)
               ? entry->similarity : 0.0;
}

static int
popcount_above(long long bits, long long count)
{
    for (long long k = 0; k < count; k++) {
        if (!bits) {
            return 0;
        }
        bits &= bits - 1;
    }
    return bits != 0;
}

/* namematch.distance.far_apart on skeleton bits. */
static int
far_apart(Memo *self, long long x, long long y, long long allowed)
{
    long long size = ((x >> self->letter_bits) & self->longest_skeleton) -
                     ((y >> self->letter_bits) & self->longest_skeleton);
    if (size > allowed || -size > allowed) {
        return 1;
    }
    long long letters = ((long long)1 << self->letter_bits) - 1;
    long long mask_x = x & letters, mask_y = y & letters;
    return popcount_above(mask_x & ~mask_y, allowed) || popcount_above(mask_y & ~mask_x, allowed);
}

static PyObject *
answer(double found)
{
    return found == FAILED ? NULL : PyFloat_FromDouble(found);
}

static int
check_forms(PyObject *a, PyObject *b)
{
    if (!PyUnicode_Check(a) || !PyUnicode_Check(b)) {
        PyErr_SetString(PyExc_TypeError, "Memo: forms must be str");
        return -1;
    }
    return 0;
}

/* forms(a, b, floor) -> similarity, or -1.0 when a form must be added first */
static PyObject *
memo_forms_method(Memo *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "forms() takes 3 arguments");
        return NULL;
    }
    double floor = PyFloat_AsDouble(args[2]);
    if ((floor == -1.0 && PyErr_Occurred()) || check_forms(args[0], args[1]) < 0) {
        return NULL;
    }
    return answer(memo_forms(self, args[0], args[1], floor));
}

/* The arguments (a, bits_a, b, bits_b, floor) of parts() and part(); -1 with an exception. */
static int
read_parts(PyObject *const *args, Py_ssize_t nargs, long long *bits_a, long long *bits_b,
           double *floor)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "parts() and part() take 5 arguments");
        return -1;
    }
    /* Not PyLong_AsLongLong: for an int of more than one digit (bits are) it goes through
     * a byte array, 5% of a run's comparing; this one reads the digits. */
    int overflow_a = 0, overflow_b = 0;
    *bits_a = PyLong_AsLongLongAndOverflow(args[1], &overflow_a);
    *bits_b = PyLong_AsLongLongAndOverflow(args[3], &overflow_b);
    *floor = PyFloat_AsDouble(args[4]);
    if (PyErr_Occurred() || check_forms(args[0], args[2]) < 0) {
        return -1;
    }
    if (overflow_a || overflow_b) {
        PyErr_SetString(PyExc_OverflowError, "parts(): skeleton bits do not fit 64 bits");
        return -1;
    }
    return 0;
}

/* parts(a, bits_a, b, bits_b, floor) -> similarity; -1.0 when a form must be added first,
 * -2.0 when both parts are in the alias table (part() asks it). */
static PyObject *
memo_parts_method(Memo *self, PyObject *const *args, Py_ssize_t nargs)
{
    long long bits_a, bits_b;
    double floor;
    if (read_parts(args, nargs, &bits_a, &bits_b, &floor) < 0) {
        return NULL;
    }
    if (bits_a & bits_b & self->aliased) {
        return PyFloat_FromDouble(BOTH_ALIASED);
    }
    if (far_apart(self, bits_a, bits_b, edits_allowed(self, floor))) {
        return PyFloat_FromDouble(0.0);
    }
    return answer(memo_forms(self, args[0], args[2], floor));
}

/* Fill slot from a namematch.distance.Form, its symbols put after the memo's others (room
 * made); -1 with an exception if it does not fit. */
static int
read_form(Memo *self, FormSlot *slot, PyObject *form)
{
    PyObject *packed = PyObject_GetAttrString(form, "packed");
    PyObject *skeleton = PyObject_GetAttrString(form, "skeleton");
    PyObject *length = PyObject_GetAttrString(form, "length");
    PyObject *consonantal = PyObject_GetAttrString(form, "consonantal_length");
    PyObject *unvocalized = PyObject_GetAttrString(form, "unvocalized");
    int ok = packed && skeleton && length && consonantal && unvocalized &&
             PyBytes_Check(packed) && PyUnicode_Check(skeleton);
    Py_ssize_t n_symbols = ok ? PyBytes_GET_SIZE(packed) / (Py_ssize_t)sizeof(int32_t) : 0;
    Py_ssize_t n_skeleton = ok ? PyUnicode_GET_LENGTH(skeleton) : 0;
    ok = ok && n_symbols <= self->max_form && n_skeleton <= self->max_form;
    int32_t symbols[2 * MAX_SYMBOLS];
    int wide = 0;
    if (ok) {
        memcpy(symbols, PyBytes_AS_STRING(packed), (size_t)n_symbols * sizeof(int32_t));
        for (Py_ssize_t k = 0; k < n_skeleton; k++) {
            symbols[n_symbols + k] = (int32_t)PyUnicode_READ_CHAR(skeleton, k);
        }
        for (Py_ssize_t k = 0; k < n_symbols + n_skeleton; k++) {
            wide |= symbols[k] < 0 || symbols[k] > UINT8_MAX;
        }
    }
    Py_ssize_t bytes = (n_symbols + n_skeleton) * (wide ? (Py_ssize_t)sizeof(int32_t) : 1);
    if (ok && self->symbol_count + bytes > (Py_ssize_t)UINT32_MAX) {
        empty_forms(self);  /* the places of symbols are 32 bits */
    }
    ok = ok && grow_forms(self, bytes) == 0;
    if (ok) {
        uint8_t *at = self->symbols + self->symbol_count;
        if (wide) {
            memcpy(at, symbols, (size_t)bytes);
        } else {
            for (Py_ssize_t k = 0; k < bytes; k++) {
                at[k] = (uint8_t)symbols[k];
            }
        }
        slot->symbols = (uint32_t)self->symbol_count;
        slot->n_symbols = (int16_t)n_symbols;
        slot->n_skeleton = (int16_t)n_skeleton;
        slot->wide = (char)wide;
        slot->length = PyFloat_AsDouble(length);
        slot->consonantal_length = PyFloat_AsDouble(consonantal);
        int truth = PyObject_IsTrue(unvocalized);
        slot->unvocalized = (char)(truth > 0);
        ok = !PyErr_Occurred() && truth >= 0;
        if (ok) {
            self->symbol_count += bytes;
        }
    }
    Py_XDECREF(packed);
    Py_XDECREF(skeleton);
    Py_XDECREF(length);
    Py_XDECREF(consonantal);
    Py_XDECREF(unvocalized);
    if (!ok && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "Memo.add_form(): not a Form that fits the memo");
    }
    return ok ? 0 : -1;
}

/* Tell the memo what the distances read of text (form: a namematch.distance.Form, or NULL
 * to make it with the memo's form callable); -1 with an exception if that fails. */
static int
add_form(Memo *self, PyObject *text, PyObject *form)
{
    if (PyUnicode_GET_LENGTH(text) > self->max_form || known_form(self, text) != NULL) {
        return 0;  /* longer forms are never measured (see forms()) */
    }
    PyObject *made = form != NULL ? Py_NewRef(form) : PyObject_CallOneArg(self->form, text);
    if (made == NULL) {
        return -1;
    }
    if (self->form_count >= (Py_ssize_t)UINT32_MAX - 1) {
        empty_forms(self);  /* a form's place is 32 bits */
    }
    FormSlot read;
    int failed = read_form(self, &read, made);
    Py_DECREF(made);
    if (failed) {
        return -1;
    }
    uint32_t hash = (uint32_t)PyObject_Hash(text);
    FormIndex *slot = form_slot(self->form_slots, self->form_capacity, NULL, NULL, hash);
    read.text = Py_NewRef(text);
    self->forms[self->form_count++] = read;
    slot->hash = hash;
    slot->at = (uint32_t)self->form_count;
    return 0;
}

/* add_form(text, form): tell the memo what the distances read of a form. */
static PyObject *
memo_add_form(Memo *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "add_form() takes 2 arguments");
        return NULL;
    }
    if (check_forms(args[0], args[0]) < 0 || add_form(self, args[0], args[1]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* The similarity of two parts as namematch.distance.PartSimilarity.parts answers it: the
 * alias table asked, the forms made, where forms() and parts() leave that to the caller. */
static double
part_similarity(Memo *self, PyObject *a, long long bits_a, PyObject *b, long long bits_b,
                double floor)
{
    if (bits_a & bits_b & self->aliased && self->same_part != Py_None) {
        PyObject *same = PyObject_CallFunctionObjArgs(self->same_part, a, b, NULL);
        int truth = same != NULL ? PyObject_IsTrue(same) : -1;
        Py_XDECREF(same);
        if (truth != 0) {
            return truth > 0 ? 1.0 : FAILED;
        }
    }
    if (far_apart(self, bits_a, bits_b, edits_allowed(self, floor))) {
        return 0.0;
    }
    double found = memo_forms(self, a, b, floor);
    if (found == NEEDS_FORMS) {
        if (add_form(self, a, NULL) < 0 || add_form(self, b, NULL) < 0) {
            return FAILED;
        }
        found = memo_forms(self, a, b, floor);
    }
    return found;
}

/* part(a, bits_a, b, bits_b, floor) -> similarity: see namematch.distance.MemoPy.part. */
static PyObject *
memo_part_method(Memo *self, PyObject *const *args, Py_ssize_t nargs)
{
    long long bits_a, bits_b;
    double floor;
    if (read_parts(args, nargs, &bits_a, &bits_b, &floor) < 0) {
        return NULL;
    }
    return answer(part_similarity(self, args[0], bits_a, args[2], bits_b, floor));
}

/* One name's side of moves(): its forms, the forms of each part joined with the next ("" where
 * they may not be joined), and the skeleton bits of both, read once. */
typedef struct {
    PyObject **forms;   /* n str */
    PyObject **joined;  /* n - 1 str */
    long long *bits;    /* n, then n - 1 of the joined forms */
    Py_ssize_t n;
} Side;

/* A name's lists (forms, bits, ...) are lists or tuples: read alike. */
static int
is_sequence(PyObject *items)
{
    return PyList_Check(items) || PyTuple_Check(items);
}

static int
read_bits(PyObject *items, long long *out)
{
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(items); k++) {
        int overflow = 0;
        out[k] = PyLong_AsLongLongAndOverflow(PySequence_Fast_GET_ITEM(items, k), &overflow);
        if (overflow) {
            PyErr_SetString(PyExc_OverflowError, "moves(): skeleton bits do not fit 64 bits");
        }
        if (PyErr_Occurred()) {
            return -1;
        }
    }
    return 0;
}

static int
read_side(Side *side, PyObject *const *args)
{
    side->bits = NULL;
    for (int k = 0; k < 4; k++) {
        if (!is_sequence(args[k])) {
            PyErr_SetString(PyExc_TypeError,
                            "moves(): a name's forms and bits must be lists or tuples");
            return -1;
        }
    }
    side->n = PySequence_Fast_GET_SIZE(args[0]);
    side->forms = PySequence_Fast_ITEMS(args[0]);  /* the sequences outlive the call */
    side->joined = PySequence_Fast_ITEMS(args[2]);
    if (PySequence_Fast_GET_SIZE(args[1]) != side->n || side->n < 1 ||
        PySequence_Fast_GET_SIZE(args[2]) != side->n - 1 ||
        PySequence_Fast_GET_SIZE(args[3]) != side->n - 1) {
        PyErr_SetString(PyExc_ValueError, "moves(): a name's lists differ in length");
        return -1;
    }
    for (Py_ssize_t k = 0; k < side->n; k++) {
        if (check_forms(side->forms[k], k ? side->joined[k - 1] : side->forms[0]) < 0) {
            return -1;
        }
    }
    side->bits = PyMem_Malloc((size_t)(2 * side->n) * sizeof(long long));
    if (side->bits == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return read_bits(args[1], side->bits) < 0 || read_bits(args[3], side->bits + side->n) < 0
               ? -1 : 0;
}

/* One move of moves(): a part (kind 0) or two joined (1: of x, 2: of y) against the other's. */
typedef struct {
    int kind;
    Py_ssize_t i, j;
    double similarity;
} Move;

/* Keep the move if its similarity reaches floor; -1 on failure. */
static int
keep_move(Move *moves, Py_ssize_t *count, int kind, Py_ssize_t i, Py_ssize_t j,
          double similarity, double floor)
{
    if (similarity == FAILED) {
        return -1;
    }
    if (similarity >= floor) {
        moves[(*count)++] = (Move){kind, i, j, similarity};
    }
    return 0;
}

static int
joinable(const Side *side, Py_ssize_t k)
{
    return k > 0 && PyUnicode_GET_LENGTH(side->joined[k - 1]) > 0;
}

/* The moves of x against y at floor into moves (room for 3 * x->n * y->n), in the order
 * namematch.distance.MemoPy.moves gives; how many, or -1 on failure. */
static Py_ssize_t
fill_moves(Memo *self, const Side *x, const Side *y, double floor, Move *moves)
{
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < x->n; i++) {
        PyObject *form_x = x->forms[i];
        for (Py_ssize_t j = 0; j < y->n; j++) {
            PyObject *form_y = y->forms[j];
            if (keep_move(moves, &count, 0, i, j,
                          part_similarity(self, form_x, x->bits[i], form_y, y->bits[j], floor),
                          floor) < 0) {
                return -1;
            }
            if (joinable(x, i) &&
                keep_move(moves, &count, 1, i - 1, j,
                          part_similarity(self, x->joined[i - 1],
                                          x->bits[x->n + i - 1], form_y, y->bits[j], floor),
                          floor) < 0) {
                return -1;
            }
            if (joinable(y, j) &&
                keep_move(moves, &count, 2, i, j - 1,
                          part_similarity(self, form_x, x->bits[i],
                                          y->joined[j - 1],
                                          y->bits[y->n + j - 1], floor), floor) < 0) {
                return -1;
            }
        }
    }
    return count;
}

/* The moves as a list of (kind, i, j, similarity). */
static PyObject *
moves_list(const Move *moves, Py_ssize_t count)
{
    PyObject *list = PyList_New(count);
    for (Py_ssize_t k = 0; list != NULL && k < count; k++) {
        PyObject *move = Py_BuildValue("(innd)", moves[k].kind, moves[k].i, moves[k].j,
                                       moves[k].similarity);
        if (move == NULL) {
            Py_CLEAR(list);
        } else {
            PyList_SET_ITEM(list, k, move);
        }
    }
    return list;
}

/* moves(forms_a, bits_a, joined_a, joined_bits_a, forms_b, ..., floor) -> list of
 * (kind, i, j, similarity): see namematch.distance.MemoPy.moves. */
static PyObject *
memo_moves_method(Memo *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "moves() takes 9 arguments");
        return NULL;
    }
    double floor = PyFloat_AsDouble(args[8]);
    if (floor == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    Side x, y;
    y.bits = NULL;
    Move *moves = NULL;
    PyObject *found = NULL;
    if (read_side(&x, args) == 0 && read_side(&y, args + 4) == 0) {
        moves = PyMem_Malloc((size_t)(3 * x.n * y.n) * sizeof(Move));
        Py_ssize_t count = moves != NULL ? fill_moves(self, &x, &y, floor, moves) : -1;
        if (moves == NULL) {
            PyErr_NoMemory();
        }
        found = count >= 0 ? moves_list(moves, count) : NULL;
    }
    PyMem_Free(moves);
    PyMem_Free(x.bits);
    PyMem_Free(y.bits);
    return found;
}

/* ---- Judging a candidate pair without settling it: namematch.compare.Comparer.triage ----
 *
 * A Record holds what Comparer.outcome(settle=False) reads of a prepared name (of 1 to
 * MAX_PARTS parts): its forms and skeleton bits (a Side), its first two parts joined, the
 * targets a one-part name may meet, its parts' weights, which parts are initials, and
 * flags; all in one allocation, as resolve makes one per name. Memo.triage follows the
 * same steps as Comparer._outcome on two records and answers what resolve's judge records
 * (nothing, a possible conflict, or a match's score) where those steps settle it: up to the
 * alignment for every pair, and to the verdict for two longer names without initials whose
 * moves form a chain. Anything else (a one-part name's match, initials, an alias, a
 * rewriting, moves that compete) is left to the Python comparison. */

#define APART 0
#define CONFLICT 1
#define UNDECIDED 2

/* Record flags (namematch.compare reads the same bits). */
#define ALIASED 1        /* the whole name is in the alias table */
#define OPTIONAL_FIRST 4 /* a leading Mohammed (or a given name before a kunya) may go */
#define GIVEN_MENTION 8
#define PATRONYMIC 16
#define KUNYA_FIRST 32   /* the first part is a kunya */
#define SURNAME_FIRST 64 /* the first part may be a surname written first */

/* A compare worker holds a record of most names of a long list: the fixed part is kept small,
 * and where each list lies in the tail is worked out from n and n_targets (record_forms and
 * the functions after it) rather than held. */
typedef struct {
    PyObject_VAR_HEAD
    PyObject *text;         /* the normalized name, which orders two names; NULL in a record
                             * made for the walk, whose names come in text order */
    PyObject *link;         /* the first two parts joined, "" for one part */
    PyObject *shortened;    /* the Record of the name less its first part, or NULL */
    long long link_bits;
    unsigned long long initials;  /* bit k: part k is only initials */
    int32_t flags;
    int16_t n;              /* parts, 1 to 64 */
    int16_t n_targets;      /* what a one-part name may meet */
    /* The tail: the strings (n forms, n - 1 joined forms, the targets), their skeleton bits
     * in the same order, the n parts' weights in this run, then one kind per target: l(ast),
     * f(ather), k(unya), g(iven). */
    int64_t tail[1];
} Record;

static inline Py_ssize_t
record_strings(const Record *r)
{
    return 2 * (Py_ssize_t)r->n - 1 + r->n_targets;
}

static inline PyObject **
record_forms(const Record *r)
{
    return (PyObject **)r->tail;
}

static inline PyObject **
record_targets(const Record *r)
{
    return record_forms(r) + 2 * r->n - 1;
}

static inline long long *
record_bits(const Record *r)
{
    return (long long *)(r->tail + record_strings(r));
}

static inline long long *
record_target_bits(const Record *r)
{
    return record_bits(r) + 2 * r->n - 1;
}

static inline double *
record_weights(const Record *r)
{
    return (double *)(r->tail + 2 * record_strings(r));
}

static inline const char *
record_kinds(const Record *r)
{
    return (const char *)(record_weights(r) + r->n);
}

/* The record's forms, joined forms and their bits, as moves() reads a name. */
static inline Side
record_side(const Record *r)
{
    return (Side){record_forms(r), record_forms(r) + r->n, record_bits(r), r->n};
}

static void
record_dealloc(Record *self)
{
    for (Py_ssize_t k = 0; k < record_strings(self); k++) {
        Py_XDECREF(record_forms(self)[k]);  /* NULL where filling failed before it */
    }
    Py_XDECREF(self->text);
    Py_XDECREF(self->link);
    Py_XDECREF(self->shortened);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The lists' lengths fit a name of n parts and its targets; -1 with an exception if not. */
static int
check_lengths(PyObject *const *lists, PyObject *kinds)
{
    for (int k = 0; k < 7; k++) {
        if (!is_sequence(lists[k])) {
            PyErr_SetString(PyExc_TypeError, "Record(): a name's forms, bits and weights must "
                                             "be lists or tuples");
            return -1;
        }
    }
    Py_ssize_t size[7];
    for (int k = 0; k < 7; k++) {
        size[k] = PySequence_Fast_GET_SIZE(lists[k]);
    }
    if (size[0] < 1 || size[0] > 64 || size[1] != size[0] || size[2] != size[0] - 1 ||
        size[3] != size[0] - 1 || size[5] != size[4] || PyBytes_GET_SIZE(kinds) != size[4] ||
        size[6] != size[0] || size[4] > INT16_MAX) {
        PyErr_SetString(PyExc_ValueError, "Record(): the lists differ in length");
        return -1;
    }
    return 0;
}

/* Fill the tail: hold the strings (forms, joined, targets) and read the bits. */
static int
fill_record(Record *self, PyObject *const *lists, PyObject *kinds)
{
    /* The sizes first: record_dealloc reads them (the tail is zeroed). */
    Py_ssize_t n = self->n = (int16_t)PySequence_Fast_GET_SIZE(lists[0]);
    self->n_targets = (int16_t)PySequence_Fast_GET_SIZE(lists[4]);
    memcpy((char *)record_kinds(self), PyBytes_AS_STRING(kinds), (size_t)self->n_targets);
    PyObject **held = record_forms(self);
    Py_ssize_t filled = 0;
    PyObject *texts[3] = {lists[0], lists[2], lists[4]};
    for (int k = 0; k < 3; k++) {
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(texts[k]); i++) {
            PyObject *text = PySequence_Fast_GET_ITEM(texts[k], i);
            if (check_forms(text, text) < 0) {
                return -1;
            }
            held[filled++] = Py_NewRef(text);
        }
    }
    double *weights = record_weights(self);
    for (Py_ssize_t k = 0; k < n; k++) {
        weights[k] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(lists[6], k));
        if (weights[k] == -1.0 && PyErr_Occurred()) {
            return -1;
        }
    }
    return read_bits(lists[1], record_bits(self)) < 0 ||
           read_bits(lists[3], record_bits(self) + n) < 0 ||
           read_bits(lists[5], record_target_bits(self)) < 0 ? -1 : 0;
}

static PyTypeObject RecordType;

static PyObject *
record_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *lists[7], *text, *link, *kinds;  /* forms, bits, joined, joined bits, targets,
                                                 * target bits, weights */
    PyObject *shortened;
    long long link_bits;
    unsigned long long initials;
    long flags;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "Record() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OOOOOULOOSOKlO:Record", &text, &lists[0], &lists[1],
                          &lists[2], &lists[3], &link, &link_bits, &lists[4], &lists[5], &kinds,
                          &lists[6], &initials, &flags, &shortened) ||
        check_lengths(lists, kinds) < 0) {
        return NULL;
    }
    if (shortened != Py_None && !PyObject_TypeCheck(shortened, &RecordType)) {
        PyErr_SetString(PyExc_TypeError, "Record(): shortened must be a Record or None");
        return NULL;
    }
    if (text != Py_None && !PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "Record(): text must be a str or None");
        return NULL;
    }
    Py_ssize_t strings =
        2 * PySequence_Fast_GET_SIZE(lists[0]) - 1 + PySequence_Fast_GET_SIZE(lists[4]);
    Py_ssize_t words = 2 * strings + PySequence_Fast_GET_SIZE(lists[0]) +
                       (PyBytes_GET_SIZE(kinds) + 7) / 8;
    Record *self = (Record *)type->tp_alloc(type, words);
    if (self == NULL) {
        return NULL;
    }
    self->text = text == Py_None ? NULL : Py_NewRef(text);
    self->link = Py_NewRef(link);
    self->link_bits = link_bits;
    self->initials = initials;
    self->flags = (int32_t)flags;
    self->shortened = shortened == Py_None ? NULL : Py_NewRef(shortened);
    if (fill_record(self, lists, kinds) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static PyTypeObject RecordType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "namematch._kernels.Record",
    .tp_doc = "Record(text, forms, bits, joined, joined_bits, link, link_bits, targets, "
              "target_bits, kinds, weights, initials, flags, shortened): a prepared name as "
              "Memo.triage reads it (text None: for the walk only).",
    .tp_basicsize = offsetof(Record, tail),
    .tp_itemsize = sizeof(int64_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = record_new,
    .tp_dealloc = (destructor)record_dealloc,
};

static double
larger(double a, double b)
{
    return a == FAILED || b == FAILED ? FAILED : (b > a ? b : a);
}

/* Comparer._opening_similarity: the first parts, either joined with the next one. */
static double
opening_similarity(Memo *self, const Record *x, const Record *y, double part_threshold)
{
    double floor = self->conflict_below;
    PyObject *first_x = record_forms(x)[0], *first_y = record_forms(y)[0];
    long long bits_x = record_bits(x)[0], bits_y = record_bits(y)[0];
    double best = part_similarity(self, first_x, bits_x, first_y, bits_y, floor);
    if (best != FAILED && best < part_threshold && x->n > 2) {
        best = larger(best, part_similarity(self, x->link, x->link_bits, first_y, bits_y,
                                            floor));
    }
    if (best != FAILED && best < part_threshold && y->n > 2) {
        best = larger(best, part_similarity(self, first_x, bits_x, y->link, y->link_bits,
                                            floor));
    }
    return best;
}

/* namematch.rules.may_meet: whether the one-part name may meet a target of this kind. */
static int
may_meet(const Record *mention, char kind)
{
    if (mention->flags & GIVEN_MENTION) {
        return kind == 'g';
    }
    if (kind == 'l') {
        return 1;
    }
    if (kind == 'f') {
        return (mention->flags & PATRONYMIC) != 0;
    }
    return kind == 'k' && (mention->flags & KUNYA_FIRST);
}

/* Comparer._single_meets: how well the one-part name meets the other's targets. */
static double
single_meets(Memo *self, const Record *a, const Record *b)
{
    const Record *one = a->n == 1 ? a : b, *full = a->n == 1 ? b : a;
    PyObject *form = record_forms(one)[0];
    const char *kinds = record_kinds(full);
    double best = 0.0;
    for (Py_ssize_t k = 0; k < full->n_targets && best != FAILED; k++) {
        if (may_meet(one, kinds[k])) {
            best = larger(best, part_similarity(self, form, record_bits(one)[0],
                                                record_targets(full)[k],
                                                record_target_bits(full)[k],
                                                self->conflict_below));
        }
    }
    return best;
}

/* namematch.align._short: a side of a gap writes out no part. */
static int
gap_short(const Record *name, Py_ssize_t start, Py_ssize_t stop, int initials)
{
    if (start >= stop) {
        return 1;
    }
    if (!initials) {
        return 0;
    }
    for (Py_ssize_t k = start; k < stop; k++) {
        if (!((name->initials >> k) & 1)) {
            return 0;
        }
    }
    return 1;
}

/* namematch.align.chain_differs on the moves of a against b. */
static int
chain_differs(const Move *moves, Py_ssize_t count, const Record *a, const Record *b)
{
    int initials = (a->initials | b->initials) != 0;
    int differs = 0;
    Py_ssize_t done_a = 0, done_b = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t i = moves[k].i, j = moves[k].j;
        if (i < done_a || j < done_b) {
            return 0;
        }
        differs = differs || !(gap_short(a, done_a, i, initials) ||
                               gap_short(b, done_b, j, initials));
        done_a = i + (moves[k].kind == 1 ? 2 : 1);
        done_b = j + (moves[k].kind == 2 ? 2 : 1);
    }
    return differs || !(gap_short(a, done_a, a->n, initials) ||
                        gap_short(b, done_b, b->n, initials));
}

/* A match triage scored: its score (before rounding) and whether every part took part. */
typedef struct {
    double score;
    int whole;
} Scored;

/* What the comparison's verdict reads besides the names (Comparer.triage passes them). */
typedef struct {
    double threshold;          /* a match scores at least this */
    double extra_part_weight;  /* align.EXTRA_PART_WEIGHT */
} Verdict;

#define MATCHED 3  /* triage scored a match (into a Scored) */

/* What align.Tally gathers walking a chain of moves (see chain_walk). */
typedef struct {
    double matched;  /* weighted similarity of the aligned parts */
    double total;    /* their weight, and the extra parts' */
    double best;     /* the best similarity of a move */
    int lacks_a, lacks_b, first_aligned, last_a_aligned, last_b_aligned;
} Walked;

/* align.Tally walking the chain of moves of two names without initials, where no gap is
 * written out on both sides (see chain_differs): every part the chain leaves out is extra.
 * The sums are taken in the walk's order, so that the score is the Python comparison's to
 * the last bit. 0, or UNDECIDED where the moves compete (not a chain). */
static int
chain_walk(const Move *moves, Py_ssize_t count, const Record *a, const Record *b,
           double extra_part_weight, Walked *walked)
{
    *walked = (Walked){0.0, 0.0, 0.0, 0, 0, 0, 0, 0};
    Py_ssize_t done_a = 0, done_b = 0;
    for (Py_ssize_t k = 0; k <= count; k++) {
        Py_ssize_t i = k < count ? moves[k].i : a->n;
        Py_ssize_t j = k < count ? moves[k].j : b->n;
        if (i < done_a || j < done_b) {
            return UNDECIDED;
        }
        for (Py_ssize_t g = done_a; g < i; g++) {
            volatile double extra = record_weights(a)[g] * extra_part_weight;  /* not fused */
            walked->total += extra;
        }
        for (Py_ssize_t g = done_b; g < j; g++) {
            volatile double extra = record_weights(b)[g] * extra_part_weight;
            walked->total += extra;
        }
        walked->lacks_a = walked->lacks_a || i > done_a;
        walked->lacks_b = walked->lacks_b || j > done_b;
        if (k == count) {
            return 0;
        }
        int kind = moves[k].kind;
        const double *weights_a = record_weights(a), *weights_b = record_weights(b);
        double weight_a = kind == 1 ? weights_a[i] + weights_a[i + 1] : weights_a[i];
        double weight_b = kind == 2 ? weights_b[j] + weights_b[j + 1] : weights_b[j];
        double weight = weight_b > weight_a ? weight_b : weight_a;
        volatile double gained = weight * moves[k].similarity;
        walked->matched += gained;
        walked->total += weight;
        walked->best = moves[k].similarity > walked->best ? moves[k].similarity : walked->best;
        walked->first_aligned = walked->first_aligned || (i == 0 && j == 0);
        done_a = i + (kind == 1 ? 2 : 1);
        done_b = j + (kind == 2 ? 2 : 1);
        walked->last_a_aligned = walked->last_a_aligned || done_a == a->n;
        walked->last_b_aligned = walked->last_b_aligned || done_b == b->n;
    }
    return 0;
}

/* A match's score, or APART: as Comparer._verdict decides from a walk with no reasons to
 * add but those of the rule below. */
static int
scored_match(double score, const Walked *walked, double threshold, Scored *scored)
{
    if ((walked->lacks_a && walked->lacks_b) || !(score >= threshold)) {
        return APART;  /* each name has parts the other lacks, or too far apart */
    }
    scored->score = score;
    scored->whole = !walked->lacks_a && !walked->lacks_b;
    return MATCHED;
}

/* Comparer._verdict of two longer names: the weighted share of aligned parts, if the first
 * parts stand opposite each other. */
static int
longer_verdict(const Walked *walked, double threshold, Scored *scored)
{
    if (!walked->first_aligned) {
        return CONFLICT;  /* "the first parts differ" */
    }
    double score = walked->total != 0.0 ? walked->matched / walked->total : 0.0;
    return scored_match(score, walked, threshold, scored);
}

/* Comparer._verdict through _single_score, where a name has one part: its best aligned part
 * scores, if the parts share something and the one-part name met an end of the other that
 * it may meet (compare._ends_met). */
static int
single_verdict(const Walked *walked, const Record *a, const Record *b, double threshold,
               Scored *scored)
{
    if (walked->matched == 0.0) {
        return APART;  /* "no part in common" */
    }
    if (a->n > 1 || b->n > 1) {
        const Record *one = a->n == 1 ? a : b, *full = a->n == 1 ? b : a;
        int may_first = 0, may_last = 0;
        for (Py_ssize_t k = 0; k < full->n_targets; k++) {
            char kind = record_kinds(full)[k];
            if (may_meet(one, kind)) {
                may_first = may_first || kind == 'k' || kind == 'g';
                may_last = may_last || kind == 'l' || kind == 'f';
            }
        }
        int last_met = may_last && (one == a ? walked->last_b_aligned : walked->last_a_aligned);
        if (!(last_met || (may_first && walked->first_aligned))) {
            return APART;
        }
    }
    return scored_match(walked->best, walked, threshold, scored);
}

/* The verdict once the parts that may stand opposite each other are known. */
static int
moves_verdict(Memo *self, const Record *a, const Record *b, double part_threshold,
              const Verdict *settings, Scored *scored)
{
    Move *moves = PyMem_Malloc((size_t)(3 * a->n * b->n) * sizeof(Move));
    if (moves == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Side side_a = record_side(a), side_b = record_side(b);
    Py_ssize_t count = fill_moves(self, &side_a, &side_b, part_threshold, moves);
    int verdict = count < 0 ? -1 : chain_differs(moves, count, a, b) ? CONFLICT : UNDECIDED;
    Walked walked;
    if (verdict == UNDECIDED && (a->initials | b->initials) == 0 &&
        chain_walk(moves, count, a, b, settings->extra_part_weight, &walked) == 0) {
        verdict = a->n > 1 && b->n > 1
                      ? longer_verdict(&walked, settings->threshold, scored)
                      : single_verdict(&walked, a, b, settings->threshold, scored);
    }
    PyMem_Free(moves);
    return verdict;
}

static int judge_ordered(Memo *self, const Record *a, const Record *b, double part_threshold,
                         const Verdict *settings, int rewrite, Scored *scored);

/* Whether a rewriting of a or b (compare.rewrites) may match the other (1), which the
 * Python comparison then tries, or none does (0), or -1 with an exception. A name less its
 * leading Mohammed is judged against the other as the comparison judges it, without
 * rewriting again; a surname written first is put last only when it meets the other name's
 * last part. Most pairs of such names are no match either way. */
static int
may_rewrite(Memo *self, const Record *a, const Record *b, double part_threshold,
            const Verdict *settings)
{
    const Record *sides[2][2] = {{a, b}, {b, a}};
    for (int k = 0; k < 2; k++) {
        const Record *name = sides[k][0], *other = sides[k][1];
        if (name->flags & OPTIONAL_FIRST) {
            const Record *shortened = (const Record *)name->shortened;
            Scored ignored;
            int verdict = shortened == NULL ? UNDECIDED
                          : k == 0 ? judge_ordered(self, shortened, other, part_threshold,
                                                   settings, 0, &ignored)
                                   : judge_ordered(self, other, shortened, part_threshold,
                                                   settings, 0, &ignored);
            if (verdict != APART && verdict != CONFLICT) {
                return verdict < 0 ? -1 : 1;
            }
        }
        if (!(name->flags & SURNAME_FIRST)) {
            continue;
        }
        Py_ssize_t last = other->n - 1;
        double meeting = part_similarity(self, record_forms(name)[0], record_bits(name)[0],
                                         record_forms(other)[last], record_bits(other)[last],
                                         self->conflict_below);
        if (meeting == FAILED) {
            return -1;
        }
        if (meeting >= part_threshold) {
            return 1;
        }
    }
    return 0;
}

/* Comparer._outcome(a, b, settle=False, may_rewrite=rewrite) of two names in its order:
 * APART, CONFLICT, MATCHED (into scored) or UNDECIDED, or -1 with an exception. */
static int
judge_ordered(Memo *self, const Record *a, const Record *b, double part_threshold,
              const Verdict *settings, int rewrite, Scored *scored)
{
    if (a->flags & b->flags & ALIASED) {
        return UNDECIDED;  /* the alias table may link the whole names */
    }
    if (a->n > 1 && b->n > 1) {
        double opening = opening_similarity(self, a, b, part_threshold);
        if (opening == FAILED) {
            return -1;
        }
        if (opening < part_threshold) {
            int rewritten = rewrite ? may_rewrite(self, a, b, part_threshold, settings) : 0;
            if (rewritten != 0) {
                return rewritten < 0 ? -1 : UNDECIDED;
            }
            return opening < self->conflict_below ? CONFLICT : APART;
        }
    } else if (a->n + b->n > 2) {
        double meeting = single_meets(self, a, b);
        if (meeting == FAILED) {
            return -1;
        }
        if (meeting < part_threshold) {
            return APART;
        }
    }
    return moves_verdict(self, a, b, part_threshold, settings, scored);
}

/* Comparer.outcome(a, b, settle=False) where the steps above settle it: the names in the
 * comparison's order (by text; equal texts are left to it). */
static int
triage(Memo *self, const Record *a, const Record *b, double part_threshold,
       const Verdict *settings, Scored *scored)
{
    if (a->text == NULL || b->text == NULL) {
        PyErr_SetString(PyExc_ValueError, "triage(): a record made for the walk has no text to "
                                          "order it by");
        return -1;
    }
    int order = PyUnicode_Compare(b->text, a->text);
    if (order == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (order == 0) {
        return UNDECIDED;  /* Comparer.outcome then orders by parts */
    }
    return order < 0 ? judge_ordered(self, b, a, part_threshold, settings, 1, scored)
                     : judge_ordered(self, a, b, part_threshold, settings, 1, scored);
}

/* triage(a, b, part_threshold, threshold, extra_part_weight) -> 0 (apart), 1 (conflict),
 * 2 (undecided) or a match's (score, whole): see namematch.compare.Comparer.triage. */
static PyObject *
memo_triage_method(Memo *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "triage() takes 5 arguments");
        return NULL;
    }
    if (!PyObject_TypeCheck(args[0], &RecordType) || !PyObject_TypeCheck(args[1], &RecordType)) {
        PyErr_SetString(PyExc_TypeError, "triage(): names must be Records");
        return NULL;
    }
    double part_threshold = PyFloat_AsDouble(args[2]);
    Verdict settings = {PyFloat_AsDouble(args[3]), PyFloat_AsDouble(args[4])};
    if (PyErr_Occurred()) {
        return NULL;
    }
    Scored scored;
    int verdict = triage(self, (Record *)args[0], (Record *)args[1], part_threshold, &settings,
                         &scored);
    if (verdict == MATCHED) {
        return Py_BuildValue("(dO)", scored.score, scored.whole ? Py_True : Py_False);
    }
    return verdict < 0 ? NULL : PyLong_FromLong(verdict);
}

/* knows(text) -> whether the memo was told of this form (and still holds it) */
static PyObject *
memo_knows(Memo *self, PyObject *text)
{
    if (check_forms(text, text) < 0) {
        return NULL;
    }
    return PyBool_FromLong(known_form(self, text) != NULL);
}

static Py_ssize_t
memo_len(Memo *self)
{
    return self->size;
}

static PyMethodDef memo_methods[] = {
    {"forms", (PyCFunction)(void (*)(void))memo_forms_method, METH_FASTCALL,
     "forms(a, b, floor): the similarity of two forms, or -1.0."},
    {"parts", (PyCFunction)(void (*)(void))memo_parts_method, METH_FASTCALL,
     "parts(a, bits_a, b, bits_b, floor): the similarity of two parts, -1.0 or -2.0."},
    {"part", (PyCFunction)(void (*)(void))memo_part_method, METH_FASTCALL,
     "part(a, bits_a, b, bits_b, floor): the similarity of two parts, the aliases asked."},
    {"triage", (PyCFunction)(void (*)(void))memo_triage_method, METH_FASTCALL,
     "triage(a, b, part_threshold, threshold, extra_part_weight): judge two Records "
     "without settling: 0, 1, 2 or a match's (score, whole)."},
    {"add_form", (PyCFunction)(void (*)(void))memo_add_form, METH_FASTCALL,
     "add_form(text, form): what the distances read of a form."},
    {"knows", (PyCFunction)memo_knows, METH_O, "knows(text): whether a form was added."},
    {"moves", (PyCFunction)(void (*)(void))memo_moves_method, METH_FASTCALL,
     "moves(forms_a, bits_a, joined_a, joined_bits_a, forms_b, bits_b, joined_b, "
     "joined_bits_b, floor): the part pairs that reach floor."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods memo_sequence = {
    .sq_length = (lenfunc)memo_len,
};

static PyTypeObject MemoType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "namematch._kernels.Memo",
    .tp_doc = "The similarities of form pairs one run has computed (see MemoPy).",
    .tp_basicsize = sizeof(Memo),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)memo_init,
    .tp_dealloc = (destructor)memo_dealloc,
    .tp_methods = memo_methods,
    .tp_as_sequence = &memo_sequence,
};

/* ---- Candidate pairs: namematch.keys.Pairing.partners_py in C ----
 *
 * A Walk reads the arrays of a Pairing and of its Buckets (shares) in place, through the
 * buffer protocol, and answers one name's partners at a time: the same bucket rules in the
 * same order, then sorted and deduplicated, as Pairing.partners_py does with a set. */

typedef struct {
    Py_buffer keys, ends, part_key, sizes, starts, members, ranks;
    PyObject *leaders; /* dict: bucket number -> list of positions */
} Share;

typedef struct {
    PyObject_HEAD
    Py_buffer indexes, single;
    Share *shares;
    Py_ssize_t count;
    int64_t max_bucket, neighbours;
    int64_t *found; /* the partners of the name asked last, before sorting */
    Py_ssize_t found_size, found_capacity;
} Walk;

/* What a buffer holds: an array('q'), a bytearray, or an array('i') (the bucket arrays:
 * half the memory of 64 bits, and a share of keys holds fewer than 2**31 entries). */
enum { INT64, BYTES, INT32 };

/* The buffer of obj, which must hold kind. */
static int
view_of(PyObject *obj, Py_buffer *view, int kind)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        return -1;
    }
    const char *format = view->format != NULL ? view->format : "B";
    int fits = kind == BYTES   ? view->itemsize == 1 && (format[0] == 'B' || format[0] == 'b')
               : kind == INT32 ? view->itemsize == 4 && (format[0] == 'i' || format[0] == 'l')
                               : view->itemsize == 8 && (format[0] == 'q' || format[0] == 'l');
    if (!fits) {
        PyBuffer_Release(view);
        view->obj = NULL;
        PyErr_SetString(PyExc_TypeError, kind == BYTES   ? "expected a bytearray"
                                         : kind == INT32 ? "expected an array of 32-bit integers"
                                                         : "expected an array of 64-bit integers");
        return -1;
    }
    return 0;
}

static void
release_view(Py_buffer *view)
{
    if (view->obj != NULL) {
        PyBuffer_Release(view);
        view->obj = NULL;
    }
}

/* The buffers of the first n of the expected arguments of function, of kinds[i] (all
 * INT64 when kinds is NULL). */
static int
read_views(const char *function, PyObject *const *args, Py_ssize_t nargs, int expected,
           Py_buffer *views, int n, const int *kinds)
{
    if (nargs != expected) {
        PyErr_Format(PyExc_TypeError, "%s() takes %d arguments", function, expected);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (view_of(args[i], &views[i], kinds != NULL ? kinds[i] : INT64) < 0) {
            return -1;
        }
    }
    return 0;
}

static void
release_views(Py_buffer *views, int n)
{
    for (int i = 0; i < n; i++) {
        release_view(&views[i]);
    }
}

static void
walk_clear(Walk *self)
{
    for (Py_ssize_t s = 0; s < self->count; s++) {
        Share *share = &self->shares[s];
        release_view(&share->keys);
        release_view(&share->ends);
        release_view(&share->part_key);
        release_view(&share->sizes);
        release_view(&share->starts);
        release_view(&share->members);
        release_view(&share->ranks);
        Py_CLEAR(share->leaders);
    }
    PyMem_Free(self->shares);
    self->shares = NULL;
    self->count = 0;
    release_view(&self->indexes);
    release_view(&self->single);
    PyMem_Free(self->found);
    self->found = NULL;
    self->found_size = self->found_capacity = 0;
}

static void
walk_dealloc(Walk *self)
{
    walk_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* One share: a tuple (keys, ends, part_key, sizes, starts, members, ranks, leaders). */
static int
read_share(Share *share, PyObject *item)
{
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 8) {
        PyErr_SetString(PyExc_TypeError, "a share is a tuple of 7 arrays and a dict");
        return -1;
    }
    Py_buffer *views[7] = {&share->keys, &share->ends, &share->part_key, &share->sizes,
                           &share->starts, &share->members, &share->ranks};
    static const int kinds[7] = {INT32, INT64, BYTES, INT32, INT32, INT32, INT32};
    for (int i = 0; i < 7; i++) {
        if (view_of(PyTuple_GET_ITEM(item, i), views[i], kinds[i]) < 0) {
            return -1;
        }
    }
    PyObject *leaders = PyTuple_GET_ITEM(item, 7);
    if (!PyDict_Check(leaders)) {
        PyErr_SetString(PyExc_TypeError, "a share's leaders are a dict");
        return -1;
    }
    Py_INCREF(leaders);
    share->leaders = leaders;
    return 0;
}

/* Walk(indexes, single, shares, max_bucket, neighbours) */
static int
walk_init(Walk *self, PyObject *args, PyObject *kwds)
{
    PyObject *indexes, *single, *shares;
    long long max_bucket, neighbours;
    static char *names[] = {"indexes", "single", "shares", "max_bucket", "neighbours", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO!LL", names, &indexes, &single,
                                     &PyList_Type, &shares, &max_bucket, &neighbours)) {
        return -1;
    }
    walk_clear(self);
    self->max_bucket = max_bucket;
    self->neighbours = neighbours;
    if (view_of(indexes, &self->indexes, INT64) < 0 ||
        view_of(single, &self->single, BYTES) < 0) {
        return -1;
    }
    if (self->indexes.len / 8 != self->single.len) {
        PyErr_SetString(PyExc_ValueError, "indexes and single differ in length");
        return -1;
    }
    Py_ssize_t count = PyList_GET_SIZE(shares);
    self->shares = PyMem_Calloc(count > 0 ? count : 1, sizeof(Share));
    if (self->shares == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t s = 0; s < count; s++) {
        self->count = s + 1; /* so that walk_clear releases what was read */
        if (read_share(&self->shares[s], PyList_GET_ITEM(shares, s)) < 0) {
            return -1;
        }
        if (self->shares[s].ends.len != self->indexes.len) {
            PyErr_SetString(PyExc_ValueError, "a share's ends differ in length from indexes");
            return -1;
        }
    }
    return 0;
}

static int
push_found(Walk *self, int64_t value)
{
    if (self->found_size == self->found_capacity) {
        Py_ssize_t capacity = self->found_capacity ? 2 * self->found_capacity : 64;
        int64_t *grown = PyMem_Realloc(self->found, capacity * sizeof(int64_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        self->found = grown;
        self->found_capacity = capacity;
    }
    self->found[self->found_size++] = value;
    return 0;
}

static int
out_of_range(void)
{
    PyErr_SetString(PyExc_IndexError, "a bucket array points outside another");
    return -1;
}

/* Add the names at members[start:here] (only one-part ones when only_single is set). */
static int
push_members(Walk *self, const Share *share, int64_t start, int64_t here, int only_single)
{
    const int32_t *members = share->members.buf;
    const int64_t *indexes = self->indexes.buf;
    const unsigned char *single = self->single.buf;
    Py_ssize_t names = self->single.len;
    if (start < 0 || here > share->members.len / 4) {
        return out_of_range();
    }
    for (int64_t m = start; m < here; m++) {
        int64_t position = members[m];
        if (position < 0 || position >= names) {
            return out_of_range();
        }
        if ((!only_single || single[position]) && push_found(self, indexes[position]) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The leaders of a part-key bucket over the bound (see Pairing.partners_py). */
static int
push_leaders(Walk *self, const Share *share, PyObject *leaders, int64_t position, int alone,
             int64_t first, int64_t here)
{
    if (!PyList_Check(leaders)) {
        PyErr_SetString(PyExc_TypeError, "a bucket's leaders are a list");
        return -1;
    }
    const int64_t *indexes = self->indexes.buf;
    Py_ssize_t names = self->single.len, count = PyList_GET_SIZE(leaders);
    int leads = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        long long leader = PyLong_AsLongLong(PyList_GET_ITEM(leaders, i));
        if (leader == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (leader < 0 || leader >= names) {
            return out_of_range();
        }
        if (alone && leader < position && push_found(self, indexes[leader]) < 0) {
            return -1;
        }
        leads |= leader == position;
    }
    return !alone && leads ? push_members(self, share, first, here, 1) : 0;
}

static int
walk_share(Walk *self, const Share *share, int64_t position, int alone)
{
    const int32_t *keys = share->keys.buf, *sizes = share->sizes.buf;
    const int32_t *starts = share->starts.buf, *ranks = share->ranks.buf;
    const int64_t *ends = share->ends.buf;
    const unsigned char *part_key = share->part_key.buf;
    Py_ssize_t buckets = share->sizes.len / 4, entries = share->keys.len / 4;
    int64_t lo = position ? ends[position - 1] : 0, hi = ends[position];
    if (lo < 0 || hi > entries || buckets != share->starts.len / 4
        || buckets != share->part_key.len || entries != share->ranks.len / 4) {
        return out_of_range();
    }
    for (int64_t k = lo; k < hi; k++) {
        int64_t number = keys[k], size;
        if (number < 0 || number >= buckets) {
            return out_of_range();
        }
        size = sizes[number];
        if (size < 2) {
            continue;
        }
        int64_t first = starts[number], here = first + ranks[k];
        int64_t start = first;
        if (size > self->max_bucket && here - self->neighbours > first) {
            start = here - self->neighbours;
        }
        if (push_members(self, share, start, here, !alone && part_key[number]) < 0) {
            return -1;
        }
        if (size <= self->max_bucket || PyDict_GET_SIZE(share->leaders) == 0) {
            continue; /* only buckets over the bound have leaders */
        }
        PyObject *key = PyLong_FromLongLong(number);
        if (key == NULL) {
            return -1;
        }
        PyObject *leaders = PyDict_GetItemWithError(share->leaders, key);
        Py_DECREF(key);
        if (leaders == NULL) {
            if (PyErr_Occurred()) {
                return -1;
            }
            continue;
        }
        if (push_leaders(self, share, leaders, position, alone, first, here) < 0) {
            return -1;
        }
    }
    return 0;
}

static int
compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The partners of the name at position into self->found, sorted and each once: how many,
 * or -1 with an exception. */
static Py_ssize_t
walk_found(Walk *self, Py_ssize_t position)
{
    if (self->shares == NULL) {
        PyErr_SetString(PyExc_ValueError, "the walk was not initialised");
        return -1;
    }
    if (position < 0 || position >= self->single.len) {
        PyErr_SetString(PyExc_IndexError, "no name at this position");
        return -1;
    }
    int alone = ((const unsigned char *)self->single.buf)[position] != 0;
    self->found_size = 0;
    for (Py_ssize_t s = 0; s < self->count; s++) {
        if (walk_share(self, &self->shares[s], position, alone) < 0) {
            return -1;
        }
    }
    qsort(self->found, self->found_size, sizeof(int64_t), compare_int64);
    Py_ssize_t unique = 0;
    for (Py_ssize_t i = 0; i < self->found_size; i++) {
        if (unique == 0 || self->found[i] != self->found[unique - 1]) {
            self->found[unique++] = self->found[i];
        }
    }
    return unique;
}

/* partners(position) -> sorted list of the indexes of the earlier names it pairs with */
static PyObject *
walk_partners(Walk *self, PyObject *arg)
{
    Py_ssize_t position = PyLong_AsSsize_t(arg);
    if (position == -1 && PyErr_Occurred()) {
        return NULL;
    }
    Py_ssize_t unique = walk_found(self, position);
    if (unique < 0) {
        return NULL;
    }
    PyObject *out = PyList_New(unique);
    for (Py_ssize_t i = 0; out != NULL && i < unique; i++) {
        PyObject *index = PyLong_FromLongLong(self->found[i]);
        if (index == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, index);
    }
    return out;
}

static PyMethodDef walk_methods[] = {
    {"partners", (PyCFunction)walk_partners, METH_O,
     "partners(position): the sorted indexes of the earlier names it pairs with."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WalkType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "namematch._kernels.Walk",
    .tp_doc = "A pairing's candidate pairs, name by name (see Pairing.partners_py).",
    .tp_basicsize = sizeof(Walk),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)walk_init,
    .tp_dealloc = (destructor)walk_dealloc,
    .tp_methods = walk_methods,
};

/* ---- Judging a run of names' candidate pairs: namematch.resolve._JudgeWork.judge_py ----
 *
 * judge() walks the names at positions [start, stop) of a Walk, and triages each with each
 * of its partners from their Records: the loop of _JudgeWork.judge_py without a Python call
 * per pair. It answers five bytes objects: the possible conflicts and the undecided pairs
 * as codes i * size + j (int64), and the matches as codes, raw scores (double) and whole
 * flags (one byte each). */

typedef struct {
    char *data;
    Py_ssize_t size, capacity;
} Buffer;

/* Append bytes bytes to buffer; -1 with MemoryError. */
static int
buffer_push(Buffer *buffer, const void *item, Py_ssize_t bytes)
{
    if (buffer->size + bytes > buffer->capacity) {
        Py_ssize_t capacity = buffer->capacity ? 2 * buffer->capacity : 4096;
        while (capacity < buffer->size + bytes) {
            capacity *= 2;
        }
        char *grown = PyMem_Realloc(buffer->data, (size_t)capacity);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, item, (size_t)bytes);
    buffer->size += bytes;
    return 0;
}

/* The Record of the name at index: made by record_of where records holds None (record_of
 * puts it there). NULL without an exception where the kernel does not judge the name (its
 * entry is not a Record), NULL with one on failure. */
static Record *
record_at(PyObject *records, PyObject *record_of, int64_t index)
{
    if (index < 0 || index >= PyList_GET_SIZE(records)) {
        PyErr_SetString(PyExc_IndexError, "judge(): a head outside the records");
        return NULL;
    }
    if (PyList_GET_ITEM(records, index) == Py_None) {
        PyObject *made = PyObject_CallFunction(record_of, "L", (long long)index);
        if (made == NULL) {
            return NULL;
        }
        Py_DECREF(made);
    }
    PyObject *found = PyList_GET_ITEM(records, index);
    return PyObject_TypeCheck(found, &RecordType) ? (Record *)found : NULL;
}

enum { CONFLICTS, UNDECIDEDS, MATCHES, SCORES, WHOLES, OUTPUTS };

/* Triage the pair (head_i, head_j) into out. */
static int
judge_pair(Memo *memo, Record *a, Record *b, int64_t code, double part_threshold,
           const Verdict *settings, Buffer *out)
{
    if (a == NULL || b == NULL) {
        return buffer_push(&out[UNDECIDEDS], &code, 8);
    }
    Scored scored;
    /* a's name comes before b's in the walk, so in text order where a record has none. */
    int verdict = a->text == NULL || b->text == NULL
                      ? judge_ordered(memo, a, b, part_threshold, settings, 1, &scored)
                      : triage(memo, a, b, part_threshold, settings, &scored);
    if (verdict == CONFLICT) {
        return buffer_push(&out[CONFLICTS], &code, 8);
    }
    if (verdict == UNDECIDED) {
        return buffer_push(&out[UNDECIDEDS], &code, 8);
    }
    if (verdict == MATCHED) {
        char whole = (char)scored.whole;
        return buffer_push(&out[MATCHES], &code, 8) < 0 ||
               buffer_push(&out[SCORES], &scored.score, 8) < 0 ||
               buffer_push(&out[WHOLES], &whole, 1) < 0 ? -1 : 0;
    }
    return verdict < 0 ? -1 : 0;
}

/* The pairs of the names at positions [start, stop) into out; -1 with an exception. */
static int
judge_run(Memo *memo, Walk *walk, const int64_t *heads, Py_ssize_t n_heads, Py_ssize_t start,
          Py_ssize_t stop, PyObject *records, PyObject *record_of, double part_threshold,
          const Verdict *settings, Buffer *out)
{
    int64_t size = PyList_GET_SIZE(records);
    for (Py_ssize_t position = start; position < stop; position++) {
        if (position < 0 || position >= n_heads) {
            PyErr_SetString(PyExc_IndexError, "judge(): a position outside the heads");
            return -1;
        }
        int64_t head_j = heads[position];
        /* Held while Python runs (record_of, the memo's callbacks), which could change
         * the list. */
        Record *b = record_at(records, record_of, head_j);
        Py_XINCREF(b);
        Py_ssize_t count = b == NULL && PyErr_Occurred() ? -1 : walk_found(walk, position);
        for (Py_ssize_t k = 0; k < count; k++) {
            int64_t partner = walk->found[k];
            if (partner < 0 || partner >= n_heads) {
                PyErr_SetString(PyExc_IndexError, "judge(): a partner outside the heads");
                count = -1;
                break;
            }
            Record *a = record_at(records, record_of, heads[partner]);
            Py_XINCREF(a);
            int failed = (a == NULL && PyErr_Occurred()) ||
                         judge_pair(memo, a, b, heads[partner] * size + head_j, part_threshold,
                                    settings, out) < 0;
            Py_XDECREF(a);
            if (failed) {
                count = -1;
                break;
            }
        }
        Py_XDECREF(b);
        if (count < 0) {
            return -1;
        }
    }
    return 0;
}

/* judge(memo, walk, start, stop, heads, records, record_of, part_threshold, threshold,
 * extra_part_weight) -> (conflicts, undecided, matches, scores, whole) */
static PyObject *
judge(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError, "judge() takes 10 arguments");
        return NULL;
    }
    if (!PyObject_TypeCheck(args[0], &MemoType) || !PyObject_TypeCheck(args[1], &WalkType) ||
        !PyList_Check(args[5]) || !PyCallable_Check(args[6])) {
        PyErr_SetString(PyExc_TypeError, "judge(): expected a Memo, a Walk, a list of records "
                                         "and a callable");
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[2]), stop = PyLong_AsSsize_t(args[3]);
    double part_threshold = PyFloat_AsDouble(args[7]);
    Verdict settings = {PyFloat_AsDouble(args[8]), PyFloat_AsDouble(args[9])};
    Py_buffer heads;
    if (PyErr_Occurred() || view_of(args[4], &heads, INT64) < 0) {
        return NULL;
    }
    Buffer out[OUTPUTS] = {{NULL, 0, 0}};
    PyObject *result = NULL;
    if (judge_run((Memo *)args[0], (Walk *)args[1], heads.buf, heads.len / 8, start, stop,
                  args[5], args[6], part_threshold, &settings, out) == 0) {
        result = PyTuple_New(OUTPUTS);
        for (int k = 0; result != NULL && k < OUTPUTS; k++) {
            PyObject *bytes = PyBytes_FromStringAndSize(out[k].data, out[k].size);
            if (bytes == NULL) {
                Py_CLEAR(result);
            } else {
                PyTuple_SET_ITEM(result, k, bytes);
            }
        }
    }
    for (int k = 0; k < OUTPUTS; k++) {
        PyMem_Free(out[k].data);
    }
    release_view(&heads);
    return result;
}

/* ---- Buckets: namematch.keys.Buckets.of_py's numbering and filling in C ---- */

/* number(keys, numbered, distinct) -> count: each key's bucket number in numbered (keys
 * numbered in order of first appearance), each number's key in distinct[:count]. All three
 * are arrays of 64-bit integers, numbered and distinct as long as keys. The table of
 * numbers holds no keys (distinct does) and grows with the distinct keys, at most half full,
 * so that it stays a fraction of the arrays' size. */
static size_t
key_slot(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & mask;
}

/* A table of 'slots' slots (a power of two) holding the numbers 0..count-1 of distinct. */
static int64_t *
number_table(const int64_t *distinct, int64_t count, size_t slots)
{
    int64_t *table = PyMem_Malloc(slots * sizeof(int64_t));
    if (table == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (size_t s = 0; s < slots; s++) {
        table[s] = -1;
    }
    for (int64_t number = 0; number < count; number++) {
        size_t slot = key_slot((uint64_t)distinct[number], slots - 1);
        while (table[slot] >= 0) {
            slot = (slot + 1) & (slots - 1);
        }
        table[slot] = number;
    }
    return table;
}

static PyObject *
number_keys(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer views[3] = {{0}};
    PyObject *result = NULL;
    int64_t *table = NULL;
    static const int kinds[3] = {INT64, INT32, INT64};
    if (read_views("number", args, nargs, 3, views, 3, kinds) < 0) {
        goto done;
    }
    Py_ssize_t count = views[0].len / 8;
    if (views[1].len / 4 != count || views[2].len / 8 != count) {
        PyErr_SetString(PyExc_ValueError, "numbered and distinct must be as long as keys");
        goto done;
    }
    if (count > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "number(): 2**31 keys or more in one share");
        goto done;
    }
    const int64_t *keys = views[0].buf;
    int32_t *numbered = views[1].buf;
    int64_t *distinct = views[2].buf;
    size_t slots = 1024;
    int64_t next = 0;
    if ((table = number_table(distinct, 0, slots)) == NULL) {
        goto done;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        uint64_t key = (uint64_t)keys[k];
        size_t slot = key_slot(key, slots - 1);
        while (table[slot] >= 0 && (uint64_t)distinct[table[slot]] != key) {
            slot = (slot + 1) & (slots - 1);
        }
        if (table[slot] >= 0) {
            numbered[k] = (int32_t)table[slot];
            continue;
        }
        distinct[next] = (int64_t)key;
        numbered[k] = (int32_t)next;
        table[slot] = next++;
        if ((size_t)next * 2 > slots) {
            PyMem_Free(table);
            slots *= 2;
            if ((table = number_table(distinct, next, slots)) == NULL) {
                goto done;
            }
        }
    }
    result = PyLong_FromLongLong(next);
done:
    PyMem_Free(table);
    release_views(views, 3);
    return result;
}

/* fill(numbered, ends, sizes, starts, members, ranks): each bucket's size, where its members
 * start, its members (positions, in order) and each entry's rank among them (see
 * namematch.keys._buckets_py). sizes and starts are as long as there are buckets, zeroed;
 * members and ranks as long as numbered. */
static PyObject *
fill_buckets(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer views[6] = {{0}};
    PyObject *result = NULL;
    int64_t *filled = NULL;
    static const int kinds[6] = {INT32, INT64, INT32, INT32, INT32, INT32};
    if (read_views("fill", args, nargs, 6, views, 6, kinds) < 0) {
        goto done;
    }
    const int32_t *numbered = views[0].buf;
    const int64_t *ends = views[1].buf;
    int32_t *sizes = views[2].buf, *starts = views[3].buf, *members = views[4].buf;
    int32_t *ranks = views[5].buf;
    Py_ssize_t entries = views[0].len / 4, names = views[1].len / 8;
    Py_ssize_t buckets = views[2].len / 4;
    if (views[3].len / 4 != buckets || views[4].len / 4 != entries
        || views[5].len / 4 != entries) {
        PyErr_SetString(PyExc_ValueError, "the bucket arrays differ in length");
        goto done;
    }
    if (entries > INT32_MAX || names > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "fill(): 2**31 entries or more in one share");
        goto done;
    }
    for (Py_ssize_t k = 0; k < entries; k++) {
        if (numbered[k] < 0 || numbered[k] >= buckets) {
            out_of_range();
            goto done;
        }
        sizes[numbered[k]] += 1;
    }
    int32_t total = 0;  /* at most entries */
    for (Py_ssize_t b = 0; b < buckets; b++) {
        starts[b] = total;
        total += sizes[b];
    }
    filled = PyMem_Calloc(buckets > 0 ? buckets : 1, sizeof(int64_t));
    if (filled == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t start = 0;
    for (Py_ssize_t position = 0; position < names; position++) {
        int64_t end = ends[position];
        if (end < start || end > entries) {
            out_of_range();
            goto done;
        }
        for (int64_t k = start; k < end; k++) {
            int64_t number = numbered[k], rank = filled[number];
            members[starts[number] + rank] = (int32_t)position;
            ranks[k] = (int32_t)rank;
            filled[number] = rank + 1;
        }
        start = end;
    }
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(filled);
    release_views(views, 6);
    return result;
}

/* leaders(numbered, ends, part_key, sizes, single, mentions, max_bucket, count) -> dict:
 * for each part-key bucket over the bound that holds a longer name, the positions of its
 * count longer names mentioned most, the first in name order among equals, ascending (see
 * namematch.keys._leaders_py). Buckets in the order they first met a longer name. */
#define MAX_LEADERS 16

typedef struct {
    int64_t number, held;
    int64_t mentions[MAX_LEADERS], positions[MAX_LEADERS];
} Ranked;

/* Whether (mentions a, position a) ranks before (mentions b, position b). */
static int
ranks_before(int64_t mentions_a, int64_t position_a, int64_t mentions_b, int64_t position_b)
{
    return mentions_a > mentions_b || (mentions_a == mentions_b && position_a < position_b);
}

static void
rank_in(Ranked *ranked, int64_t count, int64_t mentions, int64_t position)
{
    int64_t at = ranked->held;
    if (at == count) {
        if (!ranks_before(mentions, position, ranked->mentions[at - 1],
                          ranked->positions[at - 1])) {
            return;
        }
        at--;
    } else {
        ranked->held++;
    }
    while (at > 0 && ranks_before(mentions, position, ranked->mentions[at - 1],
                                  ranked->positions[at - 1])) {
        ranked->mentions[at] = ranked->mentions[at - 1];
        ranked->positions[at] = ranked->positions[at - 1];
        at--;
    }
    ranked->mentions[at] = mentions;
    ranked->positions[at] = position;
}

static PyObject *
leaders_of(Ranked *ranked, Py_ssize_t buckets)
{
    PyObject *out = PyDict_New();
    for (Py_ssize_t b = 0; out != NULL && b < buckets; b++) {
        Ranked *one = &ranked[b];
        qsort(one->positions, one->held, sizeof(int64_t), compare_int64);
        PyObject *positions = PyList_New(one->held), *number = NULL;
        for (int64_t i = 0; positions != NULL && i < one->held; i++) {
            PyObject *position = PyLong_FromLongLong(one->positions[i]);
            if (position == NULL) {
                Py_CLEAR(positions);
                break;
            }
            PyList_SET_ITEM(positions, i, position);
        }
        if (positions != NULL) {
            number = PyLong_FromLongLong(one->number);
        }
        if (number == NULL || PyDict_SetItem(out, number, positions) < 0) {
            Py_CLEAR(out);
        }
        Py_XDECREF(number);
        Py_XDECREF(positions);
    }
    return out;
}

static PyObject *
leaders(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "leaders() takes 8 arguments");
        return NULL;
    }
    long long max_bucket = PyLong_AsLongLong(args[6]), count = PyLong_AsLongLong(args[7]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (count < 1 || count > MAX_LEADERS) {
        PyErr_SetString(PyExc_ValueError, "leaders: count out of range");
        return NULL;
    }
    Py_buffer views[6] = {{0}};
    static const int kinds[6] = {INT32, INT64, BYTES, INT32, BYTES, INT64};
    PyObject *result = NULL;
    int64_t *slot_of = NULL;
    Ranked *ranked = NULL;
    Py_ssize_t used = 0, capacity = 0;
    if (read_views("leaders", args, nargs, 8, views, 6, kinds) < 0) {
        goto done;
    }
    const int32_t *numbered = views[0].buf, *sizes = views[3].buf;
    const int64_t *ends = views[1].buf, *mentions = views[5].buf;
    const unsigned char *part_key = views[2].buf, *single = views[4].buf;
    Py_ssize_t entries = views[0].len / 4, names = views[1].len / 8;
    Py_ssize_t buckets = views[3].len / 4;
    if (views[2].len != buckets || views[4].len != names || views[5].len / 8 != names) {
        PyErr_SetString(PyExc_ValueError, "the arrays of leaders() differ in length");
        goto done;
    }
    slot_of = PyMem_Malloc((buckets > 0 ? buckets : 1) * sizeof(int64_t));
    if (slot_of == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t b = 0; b < buckets; b++) {
        slot_of[b] = -1;
    }
    int64_t start = 0;
    for (Py_ssize_t position = 0; position < names; position++) {
        int64_t end = ends[position];
        if (end < start || end > entries) {
            out_of_range();
            goto done;
        }
        for (int64_t k = start; !single[position] && k < end; k++) {
            int64_t number = numbered[k];
            if (number < 0 || number >= buckets) {
                out_of_range();
                goto done;
            }
            if (!part_key[number] || sizes[number] <= max_bucket) {
                continue;
            }
            if (slot_of[number] < 0) {
                if (used == capacity) {
                    capacity = capacity ? 2 * capacity : 64;
                    Ranked *grown = PyMem_Realloc(ranked, capacity * sizeof(Ranked));
                    if (grown == NULL) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    ranked = grown;
                }
                ranked[used].number = number;
                ranked[used].held = 0;
                slot_of[number] = used++;
            }
            rank_in(&ranked[slot_of[number]], count, mentions[position], position);
        }
        start = end;
    }
    result = leaders_of(ranked, used);
done:
    PyMem_Free(slot_of);
    PyMem_Free(ranked);
    release_views(views, 6);
    return result;
}

/* within(codes, roots, local, count, out): the codes (i * len(roots) + j) of names i and j
 * of one component (roots[i] == roots[j]) with i kept (local[i] >= 0), renumbered as
 * local[i] * count + local[j], in order (see namematch.cluster._within_py). Writes them to
 * out when it is long enough; returns how many there are. */
static PyObject *
within(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer views[3] = {{0}}, out = {0};
    PyObject *result = NULL;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "within() takes 5 arguments");
        return NULL;
    }
    long long count = PyLong_AsLongLong(args[3]);
    if ((count == -1 && PyErr_Occurred()) || read_views("within", args, 3, 3, views, 3,
                                                        NULL) < 0
        || view_of(args[4], &out, INT64) < 0) {
        goto done;
    }
    const int64_t *codes = views[0].buf, *roots = views[1].buf, *local = views[2].buf;
    int64_t *kept = out.buf;
    Py_ssize_t total = views[0].len / 8, size = views[1].len / 8, room = out.len / 8;
    if (views[2].len / 8 != size) {
        PyErr_SetString(PyExc_ValueError, "roots and local differ in length");
        goto done;
    }
    Py_ssize_t found = 0;
    for (Py_ssize_t k = 0; k < total; k++) {
        int64_t code = codes[k];
        if (code < 0 || size == 0 || code / size >= size) {
            out_of_range();
            goto done;
        }
        int64_t i = code / size, j = code % size;
        if (local[i] >= 0 && roots[i] == roots[j]) {
            if (found < room) {
                kept[found] = local[i] * count + local[j];
            }
            found++;
        }
    }
    result = PyLong_FromSsize_t(found);
done:
    release_views(views, 3);
    release_view(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"distance", (PyCFunction)(void (*)(void))distance, METH_FASTCALL,
     "distance(xs, ys, costs, size, limit): the weighted edit distance of two forms."},
    {"number", (PyCFunction)(void (*)(void))number_keys, METH_FASTCALL,
     "number(keys, numbered, distinct): number the keys; how many distinct."},
    {"fill", (PyCFunction)(void (*)(void))fill_buckets, METH_FASTCALL,
     "fill(numbered, ends, sizes, starts, members, ranks): the buckets of numbered keys."},
    {"leaders", (PyCFunction)(void (*)(void))leaders, METH_FASTCALL,
     "leaders(numbered, ends, part_key, sizes, single, mentions, max_bucket, count): the "
     "longer names mentioned most of each part-key bucket over the bound."},
    {"judge", (PyCFunction)(void (*)(void))judge, METH_FASTCALL,
     "judge(memo, walk, start, stop, heads, records, record_of, part_threshold, threshold, "
     "extra_part_weight): the candidate pairs of a run of names, triaged."},
    {"within", (PyCFunction)(void (*)(void))within, METH_FASTCALL,
     "within(codes, roots, local, count, out): the conflicts within components of the kept "
     "names, renumbered; how many."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "namematch._kernels",
    "The inner loop of namematch.distance in C (see weighted_distance_py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    if (PyType_Ready(&MemoType) < 0 || PyType_Ready(&WalkType) < 0 ||
        PyType_Ready(&RecordType) < 0) {
        return NULL;
    }
    PyObject *created = PyModule_Create(&module);
    if (created == NULL) {
        return NULL;
    }
    Py_INCREF(&MemoType);
    if (PyModule_AddObject(created, "Memo", (PyObject *)&MemoType) < 0) {
        Py_DECREF(&MemoType);
        Py_DECREF(created);
        return NULL;
    }
    Py_INCREF(&WalkType);
    if (PyModule_AddObject(created, "Walk", (PyObject *)&WalkType) < 0) {
        Py_DECREF(&WalkType);
        Py_DECREF(created);
        return NULL;
    }
    Py_INCREF(&RecordType);
    if (PyModule_AddObject(created, "Record", (PyObject *)&RecordType) < 0) {
        Py_DECREF(&RecordType);
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
