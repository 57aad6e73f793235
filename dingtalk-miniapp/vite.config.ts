/// <reference types="vitest/config" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import AutoImport from 'unplugin-auto-import/vite';
import { VantResolver } from '@vant/auto-import-resolver';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

// Two entry points: the villager H5 at `/` (Vant) and the PC console at `/console/` (Element Plus).
// Both are served by `aidazu serve`; during `npm run dev` API calls are proxied to it.
export default defineConfig({
  plugins: [
    vue(),
    AutoImport({ resolvers: [VantResolver(), ElementPlusResolver()], dts: false }),
    Components({ resolvers: [VantResolver(), ElementPlusResolver()], dts: false }),
  ],
  build: {
    // Old Android System WebViews and older DingTalk clients.
    target: ['es2018', 'chrome69', 'safari12'],
    cssTarget: ['chrome69', 'safari12'],
    outDir: 'dist',
    // ECharts (bar charts only, ~510 kB raw / ~175 kB gzip) is one lazy chunk of the console's
    // dashboard route; nothing else comes close.
    chunkSizeWarningLimit: 600,
    emptyOutDir: true,
    assetsDir: 'assets',
    rolldownOptions: {
      input: {
        villager: resolve(import.meta.dirname, 'index.html'),
        console: resolve(import.meta.dirname, 'console/index.html'),
      },
      output: {
        // Few, cacheable chunks for the villager's first screen on a slow network (budget: ≤ 6
        // requests): the framework, the UI kit, and our shared modules each in one file.
        codeSplitting: {
          includeDependenciesRecursively: false,
          groups: [
            // The framework, with the tiny modules every page shares (preload helper, labels).
            {
              name: 'vue',
              test: /node_modules[\\/](@vue|vue|vue-router|pinia)[\\/]|preload-helper|src[\\/]shared[\\/]labels/,
            },
            { name: 'vant', test: /node_modules[\\/](vant|@vant)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    server: { deps: { inline: ['vant', 'element-plus'] } },
  },
});
