using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// Descriptors sent as SCM_RIGHTS ancillary data (unix(7), cmsg(3)): the one way both the upgrade channel and the
/// systemd descriptor store pass sockets to another process.
/// </summary>
internal static unsafe class AncillaryDescriptors
{
    /// <summary>The control buffer <paramref name="count"/> descriptors need; 0 when there are none.</summary>
    public static int ControlLength(int count) => count == 0 ? 0 : (int)CMSG_SPACE(count * sizeof(int));

    /// <summary>
    /// Points <paramref name="message"/> at <paramref name="control"/> (<see cref="ControlLength"/> bytes, zeroed: the
    /// kernel reads the padding) holding one SCM_RIGHTS header with <paramref name="fds"/>. Nothing when there are no
    /// descriptors: an empty SCM_RIGHTS header is rejected with EINVAL.
    /// </summary>
    public static void Attach(msghdr* message, byte* control, int controlLength, ReadOnlySpan<int> fds)
    {
        if (fds.IsEmpty)
        {
            return;
        }

        message->msg_control = control;
        message->msg_controllen = (socklen_t)controlLength;
        var header = CMSG_FIRSTHDR(message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = (socklen_t)((int)CMSG_ALIGN(sizeof(cmsghdr)) + (fds.Length * sizeof(int)));
        fds.CopyTo(new Span<int>(CMSG_DATA(header), fds.Length));
    }
}
