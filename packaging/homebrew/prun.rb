# Homebrew formula for prun.  `url` and `sha256` name the release tarball
# that `meson dist` makes; set both for each release (the values here are
# placeholders, so brew refuses to install until they are).
class Prun < Formula
  desc "Run commands in parallel, like GNU parallel at the cost of xargs -P"
  homepage "https://example.invalid/prun"
  url "https://example.invalid/prun/prun-0.1.0.tar.xz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"

  depends_on "meson" => :build
  depends_on "ninja" => :build
  depends_on "pkg-config" => :build
  depends_on "scdoc" => :build
  depends_on "inih"
  depends_on "libuv"
  depends_on "pcre2"

  def install
    # The command-line tests need bats; `brew test` runs its own checks.
    system "meson", "setup", "build", *std_meson_args,
           "-Dwerror=false", "-Dman-pages=enabled", "-Dcli-tests=disabled",
           "-Dbash-completions-dir=#{share}/bash-completion/completions",
           "-Dzsh-completions-dir=#{zsh_completion}",
           "-Dfish-completions-dir=#{fish_completion}"
    system "meson", "compile", "-C", "build", "--verbose"
    system "meson", "install", "-C", "build"
  end

  test do
    assert_equal "prun #{version}\n", shell_output("#{bin}/prun --version")
    assert_equal "a\nb\n", shell_output("#{bin}/prun -k echo ::: a b")
  end
end
