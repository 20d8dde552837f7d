package io.streamlm.tokenizer;

import io.streamlm.engine.ChatMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Pure-Java byte-level BPE tokenizer for a Hugging Face tokenizer.json (GPT-2 / Qwen family). Encoding runs
 * the library's pipeline: split out added tokens, normalise (NFC for Qwen), pre-tokenize with the Split
 * regex, BPE each piece over its UTF-8 bytes. Decoding concatenates token bytes and decodes UTF-8 once.
 * Chosen over the DJL binding of the Rust library by measurement (see README "Tokenizer").
 */
final class BpeTokenizer implements Tokenizer {
    private final TextNormalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Bpe bpe;
    private final AddedTokens rawAddedTokens;        // matched on the input text
    private final AddedTokens normalizedAddedTokens; // matched after normalisation
    /** tokenBytes[id] = bytes the token decodes to, null where no token has that id; [vocabSize]. */
    private final byte[][] tokenBytes;
    private final Map<String, Integer> tokenIds;     // vocabulary and added tokens
    private final Optional<ChatTemplate.Flavor> chatFlavor; // empty: template is not Qwen ChatML
    private final List<Integer> eosTokenIds;

    BpeTokenizer(TokenizerFiles.Parsed p) {
        this.normalizer = p.normalizer();
        this.preTokenizer = p.preTokenizer();
        this.bpe = p.bpe();
        this.rawAddedTokens = new AddedTokens(p.addedTokens().stream().filter(e -> !e.normalized()).toList());
        this.normalizedAddedTokens = new AddedTokens(p.addedTokens().stream().filter(AddedTokens.Entry::normalized).toList());
        this.tokenBytes = p.tokenBytes();
        this.tokenIds = p.tokenIds();
        this.chatFlavor = p.chatFlavor();
        this.eosTokenIds = p.eosTokenIds();
    }

    static BpeTokenizer load(Path modelDir) throws IOException {
        return new BpeTokenizer(TokenizerFiles.read(modelDir));
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList();
        List<AddedTokens.Segment> raw = new ArrayList<>();
        rawAddedTokens.split(replaceLoneSurrogates(text), raw);
        List<AddedTokens.Segment> pieces = new ArrayList<>();
        for (AddedTokens.Segment s : raw) {
            if (s.isToken()) {
                out.add(s.tokenId());
                continue;
            }
            String normalized = normalizer.apply(s.text());
            pieces.clear();
            normalizedAddedTokens.split(normalized, pieces);
            for (AddedTokens.Segment n : pieces) {
                if (n.isToken()) {
                    out.add(n.tokenId());
                } else {
                    preTokenizer.split(n.text(), word -> bpe.encodeWord(word, out));
                }
            }
        }
        return out.toArray();
    }

    /**
     * A Java string may hold unpaired surrogates, which UTF-8 cannot express; they become U+FFFD, as in the
     * Rust library (through DJL), rather than the '?' Java's encoder would write.
     */
    static String replaceLoneSurrogates(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                i++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text);
            }
            sb.setCharAt(i, '\ufffd');
        }
        return sb == null ? text : sb.toString();
    }

    @Override
    public String decode(int[] ids) {
        int numBytes = 0;
        for (int id : ids) {
            numBytes += bytesOf(id).length;
        }
        byte[] buf = new byte[numBytes];
        int at = 0;
        for (int id : ids) {
            byte[] b = tokenBytes[id];
            System.arraycopy(b, 0, buf, at, b.length);
            at += b.length;
        }
        return new String(buf, StandardCharsets.UTF_8);
    }

    private byte[] bytesOf(int id) {
        if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + tokenBytes.length + ")");
        }
        return tokenBytes[id];
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    @Override
    public StreamDecoder newStreamDecoder() {
        return new StreamDecoder(tokenBytes);
    }

    @Override
    public String renderChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        ChatTemplate.Flavor flavor = chatFlavor.orElseThrow(() -> new IllegalStateException(
                "tokenizer_config.json's chat_template is not a Qwen ChatML template; only the Qwen3 and Qwen3.5/3.6 formats are supported"));
        return ChatTemplate.render(flavor, messages, addGenerationPrompt);
    }

    @Override
    public List<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = tokenIds.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
