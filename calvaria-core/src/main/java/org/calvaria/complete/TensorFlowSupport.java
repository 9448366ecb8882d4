package org.calvaria.complete;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.calvaria.CalvariaException;
import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.op.nn.Conv3dBackpropFilter;
import org.tensorflow.op.nn.Conv3dBackpropInput;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;

/**
 * What the network code needs from TensorFlow Java beyond its public API: the Conv3D gradient (TensorFlow's C++
 * gradient registry has none, so training would fail), session settings, tensor copies and the device in use.
 */
public final class TensorFlowSupport {
    private static boolean gradientsRegistered;
    private static String device;

    private TensorFlowSupport() {}

    /**
     * Registers the Conv3D gradient once per process: d(input) by Conv3DBackpropInputV2 and d(filter) by
     * Conv3DBackpropFilterV2, with the forward op's strides, padding, dilations and data format.
     */
    public static synchronized void registerGradients() {
        if (gradientsRegistered) return;
        TensorFlow.registerCustomGradient(Conv3d.Inputs.class, (tf, op, gradOutputs) -> {
            @SuppressWarnings("unchecked")
            Operand<TFloat32> input = (Operand<TFloat32>) op.input;
            @SuppressWarnings("unchecked")
            Operand<TFloat32> filter = (Operand<TFloat32>) op.filter;
            @SuppressWarnings("unchecked")
            Operand<TFloat32> dy = (Operand<TFloat32>) gradOutputs.get(0);
            List<Long> strides = longs(op.strides);
            List<Long> dilations = longs(op.dilations);
            Operand<TFloat32> dInput = tf.nn.conv3dBackpropInput(
                    tf.shape(input),
                    filter,
                    dy,
                    strides,
                    op.padding,
                    Conv3dBackpropInput.dilations(dilations),
                    Conv3dBackpropInput.dataFormat(op.dataFormat));
            Operand<TFloat32> dFilter = tf.nn.conv3dBackpropFilter(
                    input,
                    tf.shape(filter),
                    dy,
                    strides,
                    op.padding,
                    Conv3dBackpropFilter.dilations(dilations),
                    Conv3dBackpropFilter.dataFormat(op.dataFormat));
            return List.of(dInput, dFilter);
        });
        gradientsRegistered = true;
    }

    private static List<Long> longs(long[] a) {
        List<Long> l = new ArrayList<>(a.length);
        for (long x : a) l.add(x);
        return l;
    }

    /** Threads to use when the user gives none: all cores this JVM may use. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Session settings for running a completion network: as {@link #sessionConfig}, without TensorFlow's graph
     * rewriting (Grappler). Its passes run on a session's first call and bought nothing measurable for these small
     * convolution graphs: the deep network's first batch-2 pass took 0.36-0.43 s without them against 0.50-0.62 s with
     * them, later passes 0.19-0.20 s against 0.18-0.22 s, and the designs came out byte for byte the same (2 cores,
     * oneDNN kernels). Training keeps them.
     */
    public static ConfigProto inferenceSessionConfig(int threads) {
        return sessionConfig(threads).toBuilder()
                .setGraphOptions(GraphOptions.newBuilder()
                        .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
                .build();
    }

    /** Session settings: {@code threads} for both intra- and inter-op pools; GPU memory grows on demand. */
    public static ConfigProto sessionConfig(int threads) {
        if (threads < 1 || threads > 1024) throw new CalvariaException("--threads must be 1..1024, got " + threads);
        return ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(threads)
                .setAllowSoftPlacement(true)
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true))
                .build();
    }

    /** A float tensor holding a copy of {@code values} in the given shape. */
    public static TFloat32 tensor(float[] values, long... shape) {
        return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
    }

    /** The tensor's values, row-major. */
    public static float[] values(TFloat32 t) {
        long n = t.shape().size();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large for a Java array");
        float[] out = new float[(int) n];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }

    /**
     * The device TensorFlow computes on: {@code "CPU"}, or the first GPU as e.g. {@code "GPU:0 (79.1 GiB)"}.
     * Found once per process from a throw-away session's device list.
     */
    public static synchronized String device() {
        if (device != null) return device;
        String found = "CPU";
        TF_Status status = TF_NewStatus();
        TF_Graph graph = TF_NewGraph();
        TF_SessionOptions options = TF_NewSessionOptions();
        // the same GPU settings as real sessions: the first session fixes how the process takes GPU memory
        byte[] config = sessionConfig(1).toByteArray();
        try (BytePointer bytes = new BytePointer(config)) {
            TF_SetConfig(options, bytes, config.length, status);
        }
        TF_Session session = TF_NewSession(graph, options, status);
        try {
            if (TF_GetCode(status) == TF_OK) {
                TF_DeviceList list = TF_SessionListDevices(session, status);
                if (TF_GetCode(status) == TF_OK) {
                    for (int i = 0; i < TF_DeviceListCount(list); i++) {
                        String type = string(TF_DeviceListType(list, i, status));
                        if ("GPU".equals(type)) {
                            String name = string(TF_DeviceListName(list, i, status));
                            long bytes = TF_DeviceListMemoryBytes(list, i, status);
                            found = String.format(
                                    Locale.ROOT,
                                    "GPU %s (%.1f GiB)",
                                    name.substring(name.lastIndexOf("device:") + 7),
                                    bytes / (double) (1L << 30));
                            break;
                        }
                    }
                    TF_DeleteDeviceList(list);
                }
                TF_CloseSession(session, status);
                TF_DeleteSession(session, status);
            }
        } finally {
            TF_DeleteSessionOptions(options);
            TF_DeleteGraph(graph);
            TF_DeleteStatus(status);
        }
        device = found;
        return device;
    }

    private static TF_DeviceList TF_SessionListDevices(TF_Session s, TF_Status status) {
        return org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices(s, status);
    }

    private static String string(BytePointer p) {
        return p == null ? "" : p.getString();
    }
}
