using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// The state description travels as a sealed memfd (memfd_create(2), fcntl F_ADD_SEALS): the receiver checks the
/// seals, so the bytes it parses cannot change under it, and a large description costs no socket buffer.
/// </summary>
internal static unsafe class SealedStateFile
{
    private const int RequiredSeals = 0x0001 | 0x0002 | 0x0004 | 0x0008; // F_SEAL_SEAL | SHRINK | GROW | WRITE

    /// <summary>Writes <paramref name="content"/> to a new memfd and seals it; the caller owns the descriptor.</summary>
    public static int Create(ReadOnlySpan<byte> content)
    {
        int fd;
        fixed (byte* name = "cloudcore-lb-state\0"u8)
        {
            fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        }

        if (fd < 0)
        {
            throw new IOException($"memfd_create failed: errno {errno}");
        }

        try
        {
            fixed (byte* p = content)
            {
                var written = 0;
                while (written < content.Length)
                {
                    var n = (long)write(fd, p + written, content.Length - written);
                    if (n < 0)
                    {
                        if (errno == EINTR)
                        {
                            continue;
                        }

                        throw new IOException($"writing the state memfd failed: errno {errno}");
                    }

                    written += (int)n;
                }
            }

            if (fcntl(fd, F_ADD_SEALS, RequiredSeals) != 0)
            {
                throw new IOException($"sealing the state memfd failed: errno {errno}");
            }

            return fd;
        }
        catch
        {
            _ = close(fd);
            throw;
        }
    }

    /// <summary>Reads a sealed memfd; throws when it is not one (unsealed, or not a memfd at all).</summary>
    public static byte[] Read(int fd, int maxLength)
    {
        var seals = fcntl(fd, F_GET_SEALS);
        if (seals < 0 || (seals & RequiredSeals) != RequiredSeals)
        {
            throw new InvalidDataException("the state description is not a sealed memfd");
        }

        var size = lseek(fd, 0, SEEK_END);
        if (size < 0 || size > maxLength)
        {
            throw new InvalidDataException($"the state description is {size} bytes, more than the {maxLength} allowed");
        }

        var content = new byte[size];
        fixed (byte* p = content)
        {
            var read = 0;
            while (read < content.Length)
            {
                var n = (long)pread(fd, p + read, content.Length - read, read);
                if (n <= 0)
                {
                    if (n < 0 && errno == EINTR)
                    {
                        continue;
                    }

                    throw new InvalidDataException("the state description ended early");
                }

                read += (int)n;
            }
        }

        return content;
    }
}
