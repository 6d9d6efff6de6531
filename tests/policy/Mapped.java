// SPDX-License-Identifier: LGPL-2.1-or-later
// Connects to 127.0.0.1:PORT as Java does by default: an AF_INET6 socket
// and the v4-mapped address ::ffff:127.0.0.1. Prints what came of it.
import java.net.InetSocketAddress;
import java.net.Socket;

public class Mapped {
	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);

		try (Socket s = new Socket()) {
			s.connect(new InetSocketAddress("127.0.0.1", port), 10000);
			System.out.println("connected");
		} catch (Exception e) {
			System.out.println(e.getClass().getSimpleName() + ": " +
					   e.getMessage());
		}
	}
}
