package org.calvaria.evaluate;

import java.util.function.Function;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;

/**
 * Anything that designs an implant from a defective skull: a trained model, a geometric baseline, or predictions read
 * from files. The returned implant may lie on any grid; the evaluator resamples it (nearest neighbour) onto the grid of
 * the true implant. Implementations must be safe to call from several threads at once (the evaluator runs cases in
 * parallel) or be wrapped by the caller.
 */
@FunctionalInterface
public interface ImplantPredictor {
    /** The implant for this defective skull (a binary mask, usually on the skull's grid). */
    MaskVolume predict(Volume defectiveSkull);

    /** Case-aware variant: predictions read from files need the case id; others ignore it. */
    default MaskVolume predict(String caseId, Volume defectiveSkull) {
        return predict(defectiveSkull);
    }

    /**
     * Text that identifies this predictor's configuration, stored with cached per-case results so that a changed
     * predictor is re-evaluated instead of silently reusing old numbers.
     */
    default String fingerprint(String caseId) {
        return "unversioned";
    }

    /** One line saying what this predictor is, for the report. */
    default String description() {
        return fingerprint("");
    }

    /** Adapts a plain function; cached results are reused as long as the method name is the same. */
    static ImplantPredictor of(Function<Volume, MaskVolume> f) {
        return f::apply;
    }

    /**
     * Adapts a function with a configuration fingerprint (for example a model's weights file name and size), so that
     * a resumed evaluation recomputes cases when the predictor changed.
     */
    static ImplantPredictor of(String fingerprint, Function<Volume, MaskVolume> f) {
        return new ImplantPredictor() {
            @Override
            public MaskVolume predict(Volume defectiveSkull) {
                return f.apply(defectiveSkull);
            }

            @Override
            public String fingerprint(String caseId) {
                return fingerprint;
            }
        };
    }
}
