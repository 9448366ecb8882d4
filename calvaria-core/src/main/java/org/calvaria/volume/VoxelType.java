package org.calvaria.volume;

/** Voxel types of the file formats we read and write (NRRD names, NIfTI datatype codes, byte sizes). */
public enum VoxelType {
    INT8("int8", 256, 1, true, -128, 127),
    UINT8("uint8", 2, 1, true, 0, 255),
    INT16("int16", 4, 2, true, Short.MIN_VALUE, Short.MAX_VALUE),
    UINT16("uint16", 512, 2, true, 0, 65535),
    INT32("int32", 8, 4, true, Integer.MIN_VALUE, Integer.MAX_VALUE),
    UINT32("uint32", 768, 4, true, 0, 4294967295.0),
    FLOAT32("float", 16, 4, false, -Float.MAX_VALUE, Float.MAX_VALUE),
    FLOAT64("double", 64, 8, false, -Double.MAX_VALUE, Double.MAX_VALUE);

    private final String nrrdName;
    private final int niftiCode;
    private final int bytes;
    private final boolean integer;
    private final double min, max;

    VoxelType(String nrrdName, int niftiCode, int bytes, boolean integer, double min, double max) {
        this.nrrdName = nrrdName;
        this.niftiCode = niftiCode;
        this.bytes = bytes;
        this.integer = integer;
        this.min = min;
        this.max = max;
    }

    public String nrrdName() {
        return nrrdName;
    }

    public int niftiCode() {
        return niftiCode;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isInteger() {
        return integer;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** True when every value of this type is held exactly by a Java short. */
    public boolean fitsShort() {
        return this == INT8 || this == UINT8 || this == INT16;
    }

    public static VoxelType fromNrrd(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
        switch (n) {
            case "signed char":
            case "int8":
            case "int8_t":
                return INT8;
            case "uchar":
            case "unsigned char":
            case "uint8":
            case "uint8_t":
                return UINT8;
            case "short":
            case "short int":
            case "signed short":
            case "signed short int":
            case "int16":
            case "int16_t":
                return INT16;
            case "ushort":
            case "unsigned short":
            case "unsigned short int":
            case "uint16":
            case "uint16_t":
                return UINT16;
            case "int":
            case "signed int":
            case "int32":
            case "int32_t":
                return INT32;
            case "uint":
            case "unsigned int":
            case "uint32":
            case "uint32_t":
                return UINT32;
            case "float":
                return FLOAT32;
            case "double":
                return FLOAT64;
            default:
                return null;
        }
    }

    public static VoxelType fromNifti(int code) {
        for (VoxelType t : values()) if (t.niftiCode == code) return t;
        return null;
    }
}
