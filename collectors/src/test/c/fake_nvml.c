/*
 * A fake libnvidia-ml.so.1 for tests: the NVML entry points the collector binds, with the same signatures,
 * struct layouts and return codes as the real library, serving values a test scripts through the fake_*
 * control functions below (called over JNA from the same process). No GPU is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_TIMEOUT 10
#define NVML_ERROR_GPU_IS_LOST 15

#define MAX_GPUS 16
#define MAX_PROCS 128
#define MAX_MIG 8
#define MAX_ERRORS 64
#define MAX_CALLS 64
#define MAX_EVENTS 64
#define TAG_GPU 0x47505500
#define TAG_MIG 0x4d494700

typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;
typedef struct {
    unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId; unsigned int computeInstanceId;
} nvmlProcessInfo_t;
typedef struct {
    unsigned int pid; unsigned long long timeStamp;
    unsigned int smUtil; unsigned int memUtil; unsigned int encUtil; unsigned int decUtil;
} nvmlProcessUtilizationSample_t;
typedef struct {
    void *device; unsigned long long eventType; unsigned long long eventData;
    unsigned int gpuInstanceId; unsigned int computeInstanceId;
} nvmlEventData_t;

typedef struct {
    int tag; int index; char uuid[96];
    unsigned int gi, ci; unsigned long long mem_total, mem_used;
    unsigned int slices; /* GPU slices of its GPU instance: 1 for 1g.10gb, 7 for 7g.80gb */
} fake_mig;

typedef struct {
    int tag; int index; char uuid[96]; char name[96];
    long long util_gpu, util_mem, mem_total, mem_used, power_mw, temp_c, sm_clock, energy_mj;
    long long mig_mode, mig_total_slices, ecc_corr, ecc_uncorr, retired_sbe, retired_dbe, remap_corr, remap_unc, remap_pending;
    int nprocs; nvmlProcessInfo_t procs[MAX_PROCS];
    int nutil; nvmlProcessUtilizationSample_t util[MAX_PROCS];
    int nmig; fake_mig mig[MAX_MIG];
} fake_gpu;

typedef struct { int gpu; char fn[80]; int code; } fake_error;
typedef struct { char fn[80]; long long count; } fake_call;

static fake_gpu gpus[MAX_GPUS];
static int gpu_count;
static int initialized;
static fake_error errors[MAX_ERRORS];
static int nerrors;
static fake_call calls[MAX_CALLS];
static int ncalls;
static int event_set_token;
static nvmlEventData_t events[MAX_EVENTS];
static int nevents;

/* ---- control functions, called by tests ---- */

void fake_reset(int count) {
    memset(gpus, 0, sizeof gpus);
    nerrors = 0; ncalls = 0; nevents = 0;
    gpu_count = count;
    for (int i = 0; i < count; i++) {
        fake_gpu *g = &gpus[i];
        g->tag = TAG_GPU; g->index = i;
        snprintf(g->uuid, sizeof g->uuid, "GPU-00000000-0000-0000-0000-00000000000%d", i);
        snprintf(g->name, sizeof g->name, "NVIDIA H100 80GB HBM3");
        g->util_gpu = 0; g->util_mem = 0;
        g->mem_total = 85520809984LL; g->mem_used = 552337408LL;
        g->power_mw = 72000; g->temp_c = 33; g->sm_clock = 345; g->energy_mj = 1000000;
        g->mig_mode = 0;
    }
}

static long long *field(fake_gpu *g, const char *name) {
#define F(n) if (strcmp(name, #n) == 0) return &g->n;
    F(util_gpu) F(util_mem) F(mem_total) F(mem_used) F(power_mw) F(temp_c) F(sm_clock) F(energy_mj)
    F(mig_mode) F(mig_total_slices) F(ecc_corr) F(ecc_uncorr) F(retired_sbe) F(retired_dbe) F(remap_corr) F(remap_unc) F(remap_pending)
#undef F
    return NULL;
}

int fake_set(int gpu, const char *name, long long value) {
    if (gpu < 0 || gpu >= gpu_count) return -1;
    long long *f = field(&gpus[gpu], name);
    if (f == NULL) return -2;
    *f = value;
    return 0;
}

void fake_set_identity(int gpu, const char *uuid, const char *name) {
    snprintf(gpus[gpu].uuid, sizeof gpus[gpu].uuid, "%s", uuid);
    snprintf(gpus[gpu].name, sizeof gpus[gpu].name, "%s", name);
}

/* gpu -1 = calls not bound to a device; fn "*" = every device call of that gpu (a lost GPU). */
void fake_set_error(int gpu, const char *fn, int code) {
    for (int i = 0; i < nerrors; i++) {
        if (errors[i].gpu == gpu && strcmp(errors[i].fn, fn) == 0) { errors[i].code = code; return; }
    }
    if (nerrors < MAX_ERRORS) {
        errors[nerrors].gpu = gpu; errors[nerrors].code = code;
        snprintf(errors[nerrors].fn, sizeof errors[nerrors].fn, "%s", fn);
        nerrors++;
    }
}

void fake_add_process(int gpu, unsigned int pid, unsigned long long used) {
    fake_gpu *g = &gpus[gpu];
    if (g->nprocs >= MAX_PROCS) return;
    nvmlProcessInfo_t *p = &g->procs[g->nprocs++];
    p->pid = pid; p->usedGpuMemory = used; p->gpuInstanceId = 0xFFFFFFFF; p->computeInstanceId = 0xFFFFFFFF;
}

void fake_add_process_util(int gpu, unsigned int pid, unsigned int sm, unsigned long long ts) {
    fake_gpu *g = &gpus[gpu];
    if (g->nutil >= MAX_PROCS) return;
    nvmlProcessUtilizationSample_t *u = &g->util[g->nutil++];
    memset(u, 0, sizeof *u);
    u->pid = pid; u->smUtil = sm; u->timeStamp = ts;
}

void fake_add_mig(int gpu, const char *uuid, unsigned int gi, unsigned int ci,
                  unsigned long long total, unsigned long long used) {
    fake_gpu *g = &gpus[gpu];
    if (g->nmig >= MAX_MIG) return;
    fake_mig *m = &g->mig[g->nmig];
    m->tag = TAG_MIG; m->index = g->nmig; m->gi = gi; m->ci = ci; m->mem_total = total; m->mem_used = used;
    m->slices = 1;
    snprintf(m->uuid, sizeof m->uuid, "%s", uuid);
    g->nmig++;
}

/* A process inside a MIG instance: NVML lists it on the parent GPU with its GPU and compute instance ids. */
void fake_add_mig_process(int gpu, unsigned int pid, unsigned long long used, unsigned int gi, unsigned int ci) {
    fake_gpu *g = &gpus[gpu];
    if (g->nprocs >= MAX_PROCS) return;
    nvmlProcessInfo_t *p = &g->procs[g->nprocs++];
    p->pid = pid; p->usedGpuMemory = used; p->gpuInstanceId = gi; p->computeInstanceId = ci;
}

int fake_set_mig_slices(int gpu, const char *uuid, unsigned int slices) {
    fake_gpu *g = &gpus[gpu];
    for (int k = 0; k < g->nmig; k++) {
        if (strcmp(g->mig[k].uuid, uuid) == 0) { g->mig[k].slices = slices; return 0; }
    }
    return -1;
}

void fake_add_xid(int gpu, unsigned long long xid) {
    if (nevents < MAX_EVENTS) {
        nvmlEventData_t *e = &events[nevents++];
        memset(e, 0, sizeof *e);
        e->device = &gpus[gpu]; e->eventType = 0x8ULL; e->eventData = xid;
    }
}

long long fake_calls(const char *fn) {
    for (int i = 0; i < ncalls; i++) if (strcmp(calls[i].fn, fn) == 0) return calls[i].count;
    return 0;
}

/* Scripts can ask for idle GPUs without calling fake_reset: FAKE_NVML_GPUS=N in the environment. */
__attribute__((constructor)) static void fake_from_environment(void) {
    const char *n = getenv("FAKE_NVML_GPUS");
    if (n != NULL) {
        int count = atoi(n);
        fake_reset(count < 0 ? 0 : (count > MAX_GPUS ? MAX_GPUS : count));
    }
}

/* ---- helpers ---- */

static void count_call(const char *fn) {
    for (int i = 0; i < ncalls; i++) if (strcmp(calls[i].fn, fn) == 0) { calls[i].count++; return; }
    if (ncalls < MAX_CALLS) { snprintf(calls[ncalls].fn, sizeof calls[ncalls].fn, "%s", fn); calls[ncalls++].count = 1; }
}

static int scripted(int gpu, const char *fn) {
    for (int i = 0; i < nerrors; i++) {
        if (errors[i].gpu == gpu && (strcmp(errors[i].fn, fn) == 0 || strcmp(errors[i].fn, "*") == 0)) {
            return errors[i].code;
        }
    }
    return NVML_SUCCESS;
}

/* Resolves a device handle: a GPU, or the parent GPU of a MIG device (*mig set). */
static fake_gpu *gpu_of(void *handle, fake_mig **mig) {
    if (mig) *mig = NULL;
    if (handle == NULL) return NULL;
    int tag = *(int *) handle;
    if (tag == TAG_GPU) return (fake_gpu *) handle;
    if (tag == TAG_MIG) {
        for (int i = 0; i < gpu_count; i++) {
            fake_gpu *g = &gpus[i];
            for (int k = 0; k < g->nmig; k++) {
                if ((void *) &g->mig[k] == handle) { if (mig) *mig = &g->mig[k]; return g; }
            }
        }
    }
    return NULL;
}

#define ENTER(fn, handle, migp) \
    count_call(fn); \
    if (!initialized) return NVML_ERROR_UNINITIALIZED; \
    fake_gpu *g = gpu_of(handle, migp); \
    if (g == NULL) return NVML_ERROR_INVALID_ARGUMENT; \
    { int rc_ = scripted(g->index, fn); if (rc_ != NVML_SUCCESS) return rc_; }

/* ---- NVML entry points ---- */

nvmlReturn_t nvmlInit_v2(void) {
    count_call("nvmlInit_v2");
    int rc = scripted(-1, "nvmlInit_v2");
    if (rc != NVML_SUCCESS) return rc;
    initialized++; /* NVML counts nvmlInit calls: each nvmlShutdown undoes one */
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
    count_call("nvmlShutdown");
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    initialized--;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
        case NVML_SUCCESS: return "Success";
        case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
        case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
        case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
        case NVML_ERROR_NOT_FOUND: return "Not Found";
        case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
        case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
        default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    count_call("nvmlSystemGetDriverVersion");
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    snprintf(version, length, "%s", "580.159.04-fake");
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    count_call("nvmlDeviceGetCount_v2");
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    int rc = scripted(-1, "nvmlDeviceGetCount_v2");
    if (rc != NVML_SUCCESS) return rc;
    *count = (unsigned int) gpu_count;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **device) {
    count_call("nvmlDeviceGetHandleByIndex_v2");
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (index >= (unsigned int) gpu_count) return NVML_ERROR_INVALID_ARGUMENT;
    int rc = scripted((int) index, "nvmlDeviceGetHandleByIndex_v2");
    if (rc != NVML_SUCCESS) return rc;
    *device = &gpus[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(void *device, char *uuid, unsigned int length) {
    fake_mig *m;
    ENTER("nvmlDeviceGetUUID", device, &m)
    const char *value = m ? m->uuid : g->uuid;
    if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(uuid, value);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(void *device, char *name, unsigned int length) {
    ENTER("nvmlDeviceGetName", device, NULL)
    if (strlen(g->name) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(name, g->name);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(void *device, nvmlUtilization_t *utilization) {
    ENTER("nvmlDeviceGetUtilizationRates", device, NULL)
    utilization->gpu = (unsigned int) g->util_gpu;
    utilization->memory = (unsigned int) g->util_mem;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(void *device, nvmlMemory_t *memory) {
    fake_mig *m;
    ENTER("nvmlDeviceGetMemoryInfo", device, &m)
    unsigned long long total = m ? m->mem_total : (unsigned long long) g->mem_total;
    unsigned long long used = m ? m->mem_used : (unsigned long long) g->mem_used;
    memory->total = total; memory->used = used; memory->free = total - used;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(void *device, unsigned int *power) {
    ENTER("nvmlDeviceGetPowerUsage", device, NULL)
    *power = (unsigned int) g->power_mw;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(void *device, unsigned long long *energy) {
    ENTER("nvmlDeviceGetTotalEnergyConsumption", device, NULL)
    *energy = (unsigned long long) g->energy_mj;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(void *device, int sensor, unsigned int *temp) {
    ENTER("nvmlDeviceGetTemperature", device, NULL)
    if (sensor != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *temp = (unsigned int) g->temp_c;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetClockInfo(void *device, int type, unsigned int *clock) {
    ENTER("nvmlDeviceGetClockInfo", device, NULL)
    if (type != 1) return NVML_ERROR_INVALID_ARGUMENT; /* NVML_CLOCK_SM */
    *clock = (unsigned int) g->sm_clock;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(void *device, unsigned int *count, nvmlProcessInfo_t *infos) {
    ENTER("nvmlDeviceGetComputeRunningProcesses_v3", device, NULL)
    unsigned int capacity = *count;
    *count = (unsigned int) g->nprocs;
    if (capacity < (unsigned int) g->nprocs) return NVML_ERROR_INSUFFICIENT_SIZE;
    if (g->nprocs > 0) memcpy(infos, g->procs, sizeof(nvmlProcessInfo_t) * g->nprocs);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetProcessUtilization(void *device, nvmlProcessUtilizationSample_t *samples,
                                             unsigned int *count, unsigned long long lastSeen) {
    ENTER("nvmlDeviceGetProcessUtilization", device, NULL)
    int n = 0;
    for (int i = 0; i < g->nutil; i++) if (g->util[i].timeStamp > lastSeen) n++;
    if (n == 0) { *count = 0; return NVML_ERROR_NOT_FOUND; }
    if (samples == NULL || *count < (unsigned int) n) { *count = (unsigned int) n; return NVML_ERROR_INSUFFICIENT_SIZE; }
    int k = 0;
    for (int i = 0; i < g->nutil; i++) if (g->util[i].timeStamp > lastSeen) samples[k++] = g->util[i];
    *count = (unsigned int) n;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigMode(void *device, unsigned int *current, unsigned int *pending) {
    ENTER("nvmlDeviceGetMigMode", device, NULL)
    *current = (unsigned int) g->mig_mode; *pending = (unsigned int) g->mig_mode;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(void *device, unsigned int *count) {
    ENTER("nvmlDeviceGetMaxMigDeviceCount", device, NULL)
    *count = MAX_MIG;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(void *device, unsigned int index, void **mig) {
    ENTER("nvmlDeviceGetMigDeviceHandleByIndex", device, NULL)
    if (!g->mig_mode) return NVML_ERROR_INVALID_ARGUMENT;
    if (index >= (unsigned int) g->nmig) return NVML_ERROR_NOT_FOUND;
    *mig = &g->mig[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(void *device, unsigned int *id) {
    fake_mig *m;
    ENTER("nvmlDeviceGetGpuInstanceId", device, &m)
    if (!m) return NVML_ERROR_NOT_SUPPORTED;
    *id = m->gi;
    return NVML_SUCCESS;
}

/* nvmlDeviceAttributes_t: eight unsigned ints, then memorySizeMB. Only MIG device handles are supported, as in NVML. */
typedef struct {
    unsigned int multiprocessorCount, sharedCopyEngineCount, sharedDecoderCount, sharedEncoderCount;
    unsigned int sharedJpegCount, sharedOfaCount, gpuInstanceSliceCount, computeInstanceSliceCount;
    unsigned long long memorySizeMB;
} nvmlDeviceAttributes_t;

nvmlReturn_t nvmlDeviceGetAttributes_v2(void *device, nvmlDeviceAttributes_t *attributes) {
    fake_mig *m;
    ENTER("nvmlDeviceGetAttributes_v2", device, &m)
    if (!m) return NVML_ERROR_NOT_SUPPORTED;
    memset(attributes, 0, sizeof *attributes);
    attributes->multiprocessorCount = 16 * m->slices;
    attributes->gpuInstanceSliceCount = m->slices;
    attributes->computeInstanceSliceCount = m->slices;
    attributes->memorySizeMB = m->mem_total / 1048576ULL;
    return NVML_SUCCESS;
}

/* nvmlGpuInstanceProfileInfo_t: id, isP2pSupported, sliceCount, instanceCount, then engine counts and memory. */
typedef struct {
    unsigned int id, isP2pSupported, sliceCount, instanceCount, multiprocessorCount, copyEngineCount;
    unsigned int decoderCount, encoderCount, jpegCount, ofaCount;
    unsigned long long memorySizeMB;
} nvmlGpuInstanceProfileInfo_t;

/* Profiles 0x0..0x6 are the 1, 2, 3, 4, 7, 8 and 6-slice GPU instances; a GPU offers those that fit its slices. */
nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfo(void *device, unsigned int profile, nvmlGpuInstanceProfileInfo_t *info) {
    static const unsigned int slices_of[] = {1, 2, 3, 4, 7, 8, 6};
    ENTER("nvmlDeviceGetGpuInstanceProfileInfo", device, NULL)
    if (!g->mig_mode) return NVML_ERROR_NOT_SUPPORTED;
    if (profile > 6) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned int total = g->mig_total_slices > 0 ? (unsigned int) g->mig_total_slices : 7;
    if (slices_of[profile] > total) return NVML_ERROR_NOT_SUPPORTED;
    memset(info, 0, sizeof *info);
    info->id = profile; info->sliceCount = slices_of[profile]; info->instanceCount = total / slices_of[profile];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(void *device, unsigned int *id) {
    fake_mig *m;
    ENTER("nvmlDeviceGetComputeInstanceId", device, &m)
    if (!m) return NVML_ERROR_NOT_SUPPORTED;
    *id = m->ci;
    return NVML_SUCCESS;
}

/* errorType 0 = corrected, 1 = uncorrected; counterType 0 = volatile. */
nvmlReturn_t nvmlDeviceGetTotalEccErrors(void *device, int errorType, int counterType, unsigned long long *count) {
    ENTER("nvmlDeviceGetTotalEccErrors", device, NULL)
    if (counterType != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *count = (unsigned long long) (errorType == 0 ? g->ecc_corr : g->ecc_uncorr);
    return NVML_SUCCESS;
}

/* cause 0 = multiple single-bit ECC, 1 = double-bit ECC. */
nvmlReturn_t nvmlDeviceGetRetiredPages(void *device, int cause, unsigned int *pageCount, unsigned long long *addresses) {
    ENTER("nvmlDeviceGetRetiredPages", device, NULL)
    unsigned int n = (unsigned int) (cause == 0 ? g->retired_sbe : g->retired_dbe);
    unsigned int capacity = *pageCount;
    *pageCount = n;
    /* like the driver: a buffer too small for the pages (0 to ask for the count) gives INSUFFICIENT_SIZE */
    if (capacity < n || (addresses == NULL && n > 0)) return NVML_ERROR_INSUFFICIENT_SIZE;
    for (unsigned int i = 0; i < n; i++) addresses[i] = 0x1000ULL * i;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetRemappedRows(void *device, unsigned int *corrRows, unsigned int *uncRows,
                                       unsigned int *isPending, unsigned int *failureOccurred) {
    ENTER("nvmlDeviceGetRemappedRows", device, NULL)
    *corrRows = (unsigned int) g->remap_corr; *uncRows = (unsigned int) g->remap_unc;
    *isPending = (unsigned int) g->remap_pending; *failureOccurred = 0;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetCreate(void **set) {
    count_call("nvmlEventSetCreate");
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    int rc = scripted(-1, "nvmlEventSetCreate");
    if (rc != NVML_SUCCESS) return rc;
    *set = &event_set_token;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceRegisterEvents(void *device, unsigned long long types, void *set) {
    ENTER("nvmlDeviceRegisterEvents", device, NULL)
    (void) types; (void) set;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetWait_v2(void *set, nvmlEventData_t *data, unsigned int timeoutms) {
    count_call("nvmlEventSetWait_v2");
    (void) set; (void) timeoutms;
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (nevents == 0) return NVML_ERROR_TIMEOUT;
    *data = events[0];
    memmove(events, events + 1, sizeof(nvmlEventData_t) * (nevents - 1));
    nevents--;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetFree(void *set) {
    count_call("nvmlEventSetFree");
    (void) set;
    return NVML_SUCCESS;
}
