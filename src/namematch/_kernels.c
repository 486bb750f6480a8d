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
#include <stdint.h>
#include <string.h>

/* Forms are short (at most 64 symbols: namematch.distance.MAX_FORM); rows live on the stack. */
#define MAX_SYMBOLS 64

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
    if (nx > MAX_SYMBOLS || ny > MAX_SYMBOLS || size <= 0 || ncosts != 2 * size + 2 * size * size) {
        PyErr_SetString(PyExc_ValueError, "distance(): forms too long or cost table malformed");
        return NULL;
    }
    int32_t xs[MAX_SYMBOLS], ys[MAX_SYMBOLS];
    memcpy(xs, PyBytes_AS_STRING(args[0]), (size_t)nx * sizeof(int32_t));
    memcpy(ys, PyBytes_AS_STRING(args[1]), (size_t)ny * sizeof(int32_t));
    const double *indel = (const double *)PyBytes_AS_STRING(args[2]);
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
            return PyFloat_FromDouble(HUGE_VAL);
        }
        double *swap = previous;
        previous = current;
        current = swap;
    }
    return PyFloat_FromDouble(previous[ny]);
}

static PyMethodDef methods[] = {
    {"distance", (PyCFunction)(void (*)(void))distance, METH_FASTCALL,
     "distance(xs, ys, costs, size, limit): the weighted edit distance of two forms."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "namematch._kernels",
    "The inner loop of namematch.distance in C (see weighted_distance_py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}
